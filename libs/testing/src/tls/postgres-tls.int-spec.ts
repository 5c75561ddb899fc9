import { join } from 'node:path';
import { Client } from 'pg';
import { baseEnvSchema, parseEnv, postgresConnection } from '@nexus/config';
import { kitTablesMigrations } from '@nexus/db';
import { startService } from '@nexus/runtime';
import { freePort, startPostgres, type RunningPostgres } from '@nexus/stack';
import { eventually } from '../polling';
import { makeTestCertificates, type TestCertificates } from '../test-certificates';

// DATABASE_URL's sslmode against a real PostgreSQL serving TLS (libs/stack's
// `tls` option) with a certificate for 127.0.0.1 only, and against the run's
// plaintext one.

let certs: TestCertificates;
let server: RunningPostgres;

beforeAll(async () => {
  certs = await makeTestCertificates({ hosts: ['127.0.0.1'] });
  server = await startPostgres({
    dataDir: join(certs.dir, 'pg'),
    port: await freePort(),
    ephemeral: true,
    tls: certs.server,
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await certs?.remove();
});

function withSsl(url: string, params: Record<string, string>, host?: string): string {
  const parsed = new URL(url);
  if (host) parsed.hostname = host;
  for (const [name, value] of Object.entries(params)) parsed.searchParams.set(name, value);
  return parsed.toString();
}

/** Connects as the URL says and asks the server whether this connection is encrypted. */
async function encrypted(url: string): Promise<boolean> {
  const client = new Client(postgresConnection(url));
  await client.connect();
  try {
    const { rows } = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return rows[0]?.ssl ?? false;
  } finally {
    await client.end();
  }
}

async function failure(url: string): Promise<string> {
  return encrypted(url).then(
    () => 'connected',
    (error: unknown) => (error as Error).message,
  );
}

describe('sslmode in DATABASE_URL', () => {
  it('verify-full with the CA connects over TLS', async () => {
    const url = withSsl(server.url, { sslmode: 'verify-full', sslrootcert: certs.ca });
    expect(await encrypted(url)).toBe(true);
  });

  it('verify-full refuses a server whose certificate another CA signed', async () => {
    const url = withSsl(server.url, { sslmode: 'verify-full', sslrootcert: certs.otherCa });
    expect(await failure(url)).toMatch(/self[- ]signed|unable to (get|verify)/i);
  });

  it('verify-full refuses a certificate that does not name the host; verify-ca accepts it', async () => {
    const fullUrl = withSsl(
      server.url,
      { sslmode: 'verify-full', sslrootcert: certs.ca },
      'localhost',
    );
    expect(await failure(fullUrl)).toMatch(/does not match certificate|altnames/i);
    const caUrl = withSsl(server.url, { sslmode: 'verify-ca', sslrootcert: certs.ca }, 'localhost');
    expect(await encrypted(caUrl)).toBe(true);
  });

  it('require encrypts without verifying the certificate, as libpq does', async () => {
    expect(await encrypted(withSsl(server.url, { sslmode: 'require' }))).toBe(true);
  });

  it('require refuses a server that does not speak TLS', async () => {
    const plaintext = process.env.DATABASE_URL as string;
    expect(await failure(withSsl(plaintext, { sslmode: 'require' }))).toMatch(
      /does not support SSL/i,
    );
  });

  it('without sslmode the connection is not encrypted', async () => {
    expect(await encrypted(server.url)).toBe(false);
  });
});

describe('a service on a DATABASE_URL with an sslmode', () => {
  const schema = `tls_postgres_${Date.now()}`; // pg_ names are reserved
  const kitTables = kitTablesMigrations(schema, 'KitTables', 1796300000002);

  // verify-ca through a name the certificate does not hold and require without
  // a CA connect only when read as libpq reads them (node-postgres alone
  // would check both as verify-full and refuse).
  it.each([
    ['verify-full', '127.0.0.1', true],
    ['verify-ca', 'localhost', true],
    ['require', '127.0.0.1', false],
  ])(
    '%s (host %s) opens its data source and its outbox relay connection over TLS',
    async (sslmode, host, withCa) => {
      const url = withSsl(
        server.url,
        withCa ? { sslmode, sslrootcert: certs.ca } : { sslmode },
        host,
      );
      const service = await startService(
        {
          name: 'pg-tls-test',
          schema,
          entities: [],
          migrations: kitTables,
          aggregates: [],
          bind: () => [],
        },
        {
          env: parseEnv(baseEnvSchema, { ...process.env, DATABASE_URL: url }),
          host: '127.0.0.1',
          grpcPort: 0,
          httpPort: 0,
          migrateOnStart: true,
        },
      );
      try {
        const [own] = await service.runtime.dataSource.query<{ ssl: boolean }[]>(
          'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        );
        expect(own?.ssl).toBe(true);
        // Every connection the service holds, the relay's included, is encrypted.
        const connections = await eventually(
          () =>
            service.runtime.dataSource.query<{ application_name: string; ssl: boolean }[]>(
              `SELECT a.application_name, s.ssl FROM pg_stat_activity a
               JOIN pg_stat_ssl s USING (pid)
              WHERE a.application_name IN ($1, $2)`,
              ['nexus-pg-tls-test', `${schema}-outbox-relay`],
            ),
          (rows) => rows.some((row) => row.application_name === `${schema}-outbox-relay`),
        );
        expect(connections.every((row) => row.ssl)).toBe(true);
      } finally {
        await service.stop();
      }
    },
  );

  it('is refused at start, naming DATABASE_URL, when sslrootcert cannot be read', () => {
    const url = withSsl(server.url, {
      sslmode: 'verify-full',
      sslrootcert: join(certs.dir, 'missing.crt'),
    });
    expect(() => parseEnv(baseEnvSchema, { ...process.env, DATABASE_URL: url })).toThrow(
      /DATABASE_URL: cannot read sslrootcert .*missing\.crt \(ENOENT\)/,
    );
  });
});
