import { readFileSync } from 'node:fs';

/**
 * What node-postgres needs to open a connection the way libpq would for the
 * same DATABASE_URL. node-postgres reads `sslmode` its own way: `require` and
 * `verify-ca` verify the hostname like `verify-full` (a `require` server with a
 * self-signed certificate is refused), `prefer` refuses a plaintext server, and
 * the certificate files are read again on every new connection. Here the
 * ssl* parameters are taken out of the URL and turned into one TLS setting.
 */
export interface PostgresConnection {
  /** DATABASE_URL without its ssl* parameters. */
  connectionString: string;
  /** false: no TLS. */
  ssl: false | PostgresTls;
}

/** The node:tls options node-postgres passes to tls.connect. */
export interface PostgresTls {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  /** false for `require` without sslrootcert: encrypted, not verified. */
  rejectUnauthorized?: boolean;
  /** A no-op for `verify-ca` (and `require` with sslrootcert): the chain, not the name. */
  checkServerIdentity?: () => undefined;
}

/** The parameters libpq reads that are honoured here (docs/security.md). */
const SUPPORTED = new Set(['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword']);
const MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof MODES)[number];

/**
 * libpq's sslmode semantics, for a URL (throws an Error naming what is wrong;
 * the message never holds the URL, which carries the password):
 * - absent or `disable`: no TLS. libpq's own default, `prefer`, is not
 *   available: node-postgres cannot fall back from TLS to plaintext, so
 *   `allow` and `prefer` are refused rather than quietly meaning something else.
 * - `require`: TLS, the certificate not verified, unless `sslrootcert` is given:
 *   then verified against it as `verify-ca` (as libpq does).
 * - `verify-ca`: TLS, the chain verified against `sslrootcert`, not the host name.
 * - `verify-full`: the chain against `sslrootcert` (a file, or `system` for the
 *   system's trusted roots) and the host name against the certificate.
 * - `sslcert` + `sslkey` (+ `sslpassword`): a client certificate.
 */
export function postgresConnection(url: string): PostgresConnection {
  const parsed = new URL(url);
  const params = parsed.searchParams;
  for (const name of [...params.keys()]) {
    if (name.startsWith('ssl') && !SUPPORTED.has(name))
      throw new Error(`the connection parameter ${name} is not supported (use sslmode)`);
  }
  const mode = sslMode(params.get('sslmode'));
  const rootCert = params.get('sslrootcert');
  const clientCert = params.get('sslcert');
  const clientKey = params.get('sslkey');
  const password = params.get('sslpassword');
  for (const name of SUPPORTED) params.delete(name);
  const connectionString = parsed.toString();

  if (mode === 'disable') {
    if (rootCert || clientCert || clientKey)
      throw new Error(
        'sslrootcert, sslcert and sslkey need sslmode=require, verify-ca or verify-full',
      );
    return { connectionString, ssl: false };
  }
  if (Boolean(clientCert) !== Boolean(clientKey)) throw new Error('sslcert and sslkey go together');
  if (rootCert === 'system' && mode !== 'verify-full')
    throw new Error(`sslrootcert=system needs sslmode=verify-full (not ${mode})`);
  if ((mode === 'verify-ca' || mode === 'verify-full') && !rootCert)
    throw new Error(
      `sslmode=${mode} needs sslrootcert=<CA file> (or sslrootcert=system with verify-full)`,
    );

  const ssl: PostgresTls = {};
  if (rootCert && rootCert !== 'system') ssl.ca = readPem('sslrootcert', rootCert);
  if (clientCert && clientKey) {
    ssl.cert = readPem('sslcert', clientCert);
    ssl.key = readPem('sslkey', clientKey);
    if (password) ssl.passphrase = password;
  }
  if (mode === 'require' && !rootCert) ssl.rejectUnauthorized = false;
  else if (mode !== 'verify-full') ssl.checkServerIdentity = () => undefined;
  return { connectionString, ssl };
}

function sslMode(value: string | null): SslMode {
  if (value === null) return 'disable';
  if (!(MODES as readonly string[]).includes(value))
    throw new Error(`sslmode=${value} is not one of ${MODES.join(', ')}`);
  if (value === 'allow' || value === 'prefer')
    throw new Error(
      `sslmode=${value} is not supported: node-postgres cannot fall back between TLS and ` +
        'plaintext; use sslmode=require (or verify-full) for TLS, disable for none',
    );
  return value as SslMode;
}

function readPem(parameter: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read ${parameter} ${path} (${code})`);
  }
}
