import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, as PEM file paths. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** PEM files made for one test run (EC P-256, valid two days). */
export interface TestCertificates {
  dir: string;
  /** The CA that signed `server` and `client`. */
  ca: string;
  /** serverAuth, for the `hosts` asked for (localhost and 127.0.0.1 by default). */
  server: CertificateFiles;
  /** clientAuth, CN=nexus-test-client. */
  client: CertificateFiles;
  /** Another CA, which signed `stranger`: trusting it instead of `ca` must fail. */
  otherCa: string;
  /** A client certificate `ca` did not sign. */
  stranger: CertificateFiles;
  remove(): Promise<void>;
}

function openssl(dir: string, args: string[]): Promise<unknown> {
  return run('/usr/bin/openssl', args, { cwd: dir });
}

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(dir, [
    ...['req', '-x509', '-new', '-nodes', '-days', '2'],
    ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
    ...['-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=nexus-test-${name}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
}

async function makeLeaf(
  dir: string,
  name: string,
  ca: string,
  commonName: string,
  extensions: string[],
): Promise<CertificateFiles> {
  await openssl(dir, [
    ...['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    ...['-out', `${name}.key`],
  ]);
  await openssl(dir, [
    ...['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${commonName}`],
    ...['-out', `${name}.csr`],
  ]);
  await writeFile(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  await openssl(dir, [
    ...['x509', '-req', '-in', `${name}.csr`, '-days', '2'],
    ...['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', serial()],
    ...['-extfile', `${name}.ext`, '-out', `${name}.crt`],
  ]);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

const serial = (): string => `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6)}`;

const san = (host: string): string =>
  /^[\d.]+$/.test(host) || host.includes(':') ? `IP:${host}` : `DNS:${host}`;

/**
 * Makes a throwaway PKI with openssl (there is no X.509 builder in
 * node:crypto): a CA, a server certificate for `hosts` and a client
 * certificate it signed, and a second CA with a client certificate of its
 * own for the refusals. Remove it with `remove()`.
 */
export async function makeTestCertificates(
  options: { hosts?: string[] } = {},
): Promise<TestCertificates> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1'];
  const dir = await mkdtemp(join(tmpdir(), 'nexus-certs-'));
  const leaf = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature'];
  await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')]);
  const [server, client, stranger] = await Promise.all([
    makeLeaf(dir, 'server', 'ca', hosts[0] ?? 'localhost', [
      ...leaf,
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${hosts.map(san).join(',')}`,
    ]),
    makeLeaf(dir, 'client', 'ca', 'nexus-test-client', [...leaf, 'extendedKeyUsage=clientAuth']),
    makeLeaf(dir, 'stranger', 'other-ca', 'nexus-test-stranger', [
      ...leaf,
      'extendedKeyUsage=clientAuth',
    ]),
  ]);
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    server,
    client,
    otherCa: join(dir, 'other-ca.crt'),
    stranger,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
