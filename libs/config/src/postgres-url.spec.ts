import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresConnection } from './postgres-url';

// The TLS handshakes themselves are exercised against a real PostgreSQL in
// libs/testing/src/tls/postgres-tls.int-spec.ts; this pins the mapping.
describe('postgresConnection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-url-'));
  const ca = join(dir, 'ca.crt');
  writeFileSync(ca, 'the CA file');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = 'postgres://nexus:secret@db.internal:5432/nexus';

  it('takes no TLS without sslmode and with sslmode=disable', () => {
    expect(postgresConnection(base)).toEqual({ connectionString: base, ssl: false });
    expect(postgresConnection(`${base}?sslmode=disable`)).toEqual({
      connectionString: base,
      ssl: false,
    });
  });

  it('reads require as encrypted but unverified, as libpq does', () => {
    const { connectionString, ssl } = postgresConnection(
      `${base}?sslmode=require&application_name=x`,
    );
    expect(connectionString).toBe(`${base}?application_name=x`);
    expect(ssl).toEqual({ rejectUnauthorized: false });
  });

  it('reads require with sslrootcert and verify-ca as the chain without the host name', () => {
    for (const mode of ['require', 'verify-ca']) {
      const { ssl } = postgresConnection(`${base}?sslmode=${mode}&sslrootcert=${ca}`);
      expect(ssl).toMatchObject({ ca: 'the CA file' });
      expect(ssl && ssl.rejectUnauthorized).toBeUndefined();
      expect(ssl && typeof ssl.checkServerIdentity).toBe('function');
    }
  });

  it('reads verify-full as the chain and the host name, with a file or the system roots', () => {
    expect(postgresConnection(`${base}?sslmode=verify-full&sslrootcert=${ca}`).ssl).toEqual({
      ca: 'the CA file',
    });
    expect(postgresConnection(`${base}?sslmode=verify-full&sslrootcert=system`).ssl).toEqual({});
  });

  it('passes a client certificate and its passphrase on', () => {
    const { ssl } = postgresConnection(
      `${base}?sslmode=verify-full&sslrootcert=${ca}&sslcert=${ca}&sslkey=${ca}&sslpassword=pw`,
    );
    expect(ssl).toEqual({
      ca: 'the CA file',
      cert: 'the CA file',
      key: 'the CA file',
      passphrase: 'pw',
    });
  });

  it.each([
    ['sslmode=prefer', 'cannot fall back'],
    ['sslmode=allow', 'cannot fall back'],
    ['sslmode=strict', 'is not one of'],
    ['sslmode=verify-full', 'needs sslrootcert'],
    ['sslmode=verify-ca&sslrootcert=system', 'needs sslmode=verify-full'],
    ['sslrootcert=/ca.crt', 'need sslmode=require'],
    ['sslmode=require&sslcert=/c.crt', 'go together'],
    ['sslmode=verify-full&sslrootcert=/nowhere/ca.crt', 'cannot read sslrootcert /nowhere/ca.crt'],
    ['ssl=true', 'ssl is not supported'],
    ['sslcrl=/crl.pem', 'sslcrl is not supported'],
  ])('refuses %s, never quoting the URL', (query, message) => {
    expect(() => postgresConnection(`${base}?${query}`)).toThrow(message);
    expect(() => postgresConnection(`${base}?${query}`)).not.toThrow(/secret/);
  });
});
