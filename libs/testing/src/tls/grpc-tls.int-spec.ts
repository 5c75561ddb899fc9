import { readFileSync } from 'node:fs';
import { Client, credentials, status, type ChannelCredentials } from '@grpc/grpc-js';
import { UserDirectory } from '@nexus/clients';
import {
  ConfigError,
  baseEnvSchema,
  parseEnv,
  peerEndpoints,
  serviceAddressesEnvSchema,
} from '@nexus/config';
import { KitError, uuidv7 } from '@nexus/core';
import { kitTablesMigrations } from '@nexus/db';
import { startService, type RunningService, type ServiceConfig } from '@nexus/runtime';
import { startAppProcess, type AppProcess } from '../app-process';
import { makeTestCertificates, type TestCertificates } from '../test-certificates';
import { signTestToken } from '../tokens';

// gRPC over TLS as the configuration turns it on: services started by the
// kit with GRPC_TLS_* (one TLS, one mutual TLS), and the users service in
// its own process called through libs/clients as content, comms and work do.

const schema = `grpc_tls_${Date.now()}`;
const kitTables = kitTablesMigrations(schema, 'KitTables', 1796300000001);
const spec = {
  name: 'grpc-tls-test',
  schema,
  entities: [],
  migrations: kitTables,
  aggregates: [],
  bind: () => [],
};

let certs: TestCertificates;
let tlsService: RunningService;
let mtlsService: RunningService;
let users: AppProcess;

function serviceConfig(tlsEnv: Record<string, string>): ServiceConfig {
  return {
    env: parseEnv(baseEnvSchema, { ...process.env, ...tlsEnv }),
    host: '127.0.0.1',
    grpcPort: 0,
    httpPort: 0,
    migrateOnStart: true,
  };
}

beforeAll(async () => {
  certs = await makeTestCertificates();
  const server = { GRPC_TLS_CERT: certs.server.cert, GRPC_TLS_KEY: certs.server.key };
  tlsService = await startService(spec, serviceConfig(server));
  mtlsService = await startService(
    spec,
    serviceConfig({ ...server, GRPC_TLS_CLIENT_CA: certs.ca }),
  );
  users = await startAppProcess('users', { ...server, GRPC_TLS_CLIENT_CA: certs.ca });
}, 120_000);

afterAll(async () => {
  await Promise.all([tlsService?.stop(), mtlsService?.stop(), users?.stop()]);
  await certs?.remove();
});

const pem = (file: string): Buffer => readFileSync(file);
const tls = (ca: string, client?: { cert: string; key: string }): ChannelCredentials =>
  credentials.createSsl(pem(ca), client && pem(client.key), client && pem(client.cert));

/** grpc.health.v1.Health/Check of the whole server: its raw answer (08 01 is SERVING). */
function healthCheck(port: number, channel: ChannelCredentials): Promise<Buffer> {
  const client = new Client(`127.0.0.1:${port}`, channel);
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (request: Buffer) => request,
      (response: Buffer) => response,
      Buffer.alloc(0),
      { deadline: Date.now() + 5_000 },
      (error, response) => (error ? reject(error) : resolve(response as Buffer)),
    );
  }).finally(() => client.close());
}

const SERVING = Buffer.from([0x08, 0x01]);

async function refusal(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  const error = (await call.then(
    () => new Error('the server answered'),
    (e: unknown) => e,
  )) as { code?: number; details?: string };
  if (typeof error.code !== 'number') throw error as Error;
  return { code: error.code, details: error.details ?? '' };
}

describe('a gRPC server with GRPC_TLS_CERT and GRPC_TLS_KEY', () => {
  it('answers a client that trusts its CA', async () => {
    expect(await healthCheck(tlsService.grpcPort, tls(certs.ca))).toEqual(SERVING);
  });

  it('refuses a plaintext client', async () => {
    const refused = await refusal(healthCheck(tlsService.grpcPort, credentials.createInsecure()));
    expect(refused.code).toBe(status.UNAVAILABLE);
  });

  it('is refused by a client that trusts another CA', async () => {
    const refused = await refusal(healthCheck(tlsService.grpcPort, tls(certs.otherCa)));
    expect(refused.code).toBe(status.UNAVAILABLE);
  });
});

describe('a gRPC server with GRPC_TLS_CLIENT_CA (mutual TLS)', () => {
  it('accepts a client with a certificate that CA signed', async () => {
    expect(await healthCheck(mtlsService.grpcPort, tls(certs.ca, certs.client))).toEqual(SERVING);
  });

  it('refuses a client without a certificate', async () => {
    const refused = await refusal(healthCheck(mtlsService.grpcPort, tls(certs.ca)));
    expect(refused.code).toBe(status.UNAVAILABLE);
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const refused = await refusal(healthCheck(mtlsService.grpcPort, tls(certs.ca, certs.stranger)));
    expect(refused.code).toBe(status.UNAVAILABLE);
  });
});

describe('a peer client configured with GRPC_TLS_CA', () => {
  /** The users endpoint as a calling service's config.ts builds it from its environment. */
  function usersEndpoint(env: Record<string, string>) {
    const parsed = parseEnv(baseEnvSchema.extend(serviceAddressesEnvSchema.shape), {
      ...process.env,
      USERS_GRPC_ADDRESS: users.grpcAddress,
      ...env,
    });
    return peerEndpoints(parsed).users;
  }
  const caller = () => ({
    userId: uuidv7(),
    role: 'user' as const,
    token: signTestToken({ role: 'user' }),
  });

  it('reaches the users service over mutual TLS and gets its answer', async () => {
    const directory = new UserDirectory(
      usersEndpoint({
        GRPC_TLS_CA: certs.ca,
        GRPC_TLS_CLIENT_CERT: certs.client.cert,
        GRPC_TLS_CLIENT_KEY: certs.client.key,
      }),
    );
    try {
      const unknown = uuidv7();
      const error = await directory
        .requireActive(caller(), [{ id: unknown, field: 'assignee_id' }], undefined)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      // The users service looked the id up and said it does not exist.
      expect(error).toBeInstanceOf(KitError);
      expect((error as KitError).code).toBe('UNKNOWN_USER');
      expect((error as KitError).message).toContain(unknown);
    } finally {
      directory.close();
    }
  });

  it('cannot reach it without the client certificate: the peer is unavailable', async () => {
    const directory = new UserDirectory(usersEndpoint({ GRPC_TLS_CA: certs.ca }));
    try {
      const error = await directory
        .requireActive(caller(), [{ id: uuidv7(), field: 'assignee_id' }], undefined)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((error as KitError).code).toBe('DEPENDENCY_UNAVAILABLE');
    } finally {
      directory.close();
    }
  });
});

describe('the TLS variables', () => {
  const parse = (env: Record<string, string>) => () =>
    parseEnv(baseEnvSchema, { ...process.env, ...env });

  it('stop the start naming the variable for half a key pair or a key of another certificate', () => {
    expect(parse({ GRPC_TLS_CERT: certs.server.cert })).toThrow(
      /GRPC_TLS_KEY: required with GRPC_TLS_CERT/,
    );
    expect(parse({ GRPC_TLS_CERT: certs.server.cert, GRPC_TLS_KEY: certs.client.key })).toThrow(
      /GRPC_TLS_KEY: is not the private key of GRPC_TLS_CERT/,
    );
    expect(parse({ GRPC_TLS_CLIENT_CA: certs.ca })).toThrow(/GRPC_TLS_CLIENT_CA: mutual TLS needs/);
    expect(
      parse({ GRPC_TLS_CLIENT_CERT: certs.client.cert, GRPC_TLS_CLIENT_KEY: certs.client.key }),
    ).toThrow(/GRPC_TLS_CLIENT_CERT: a client certificate is sent over TLS only/);
  });

  it('name an unreadable file or one of the wrong kind, never quoting its content', () => {
    expect(parse({ GRPC_TLS_CA: `${certs.dir}/missing.crt` })).toThrow(
      /GRPC_TLS_CA: cannot read .*missing\.crt \(ENOENT\)/,
    );
    let caught: unknown;
    try {
      parse({ GRPC_TLS_CERT: certs.server.key, GRPC_TLS_KEY: certs.server.key })();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(
      /GRPC_TLS_CERT: .*server\.key holds no PEM certificate/,
    );
    expect((caught as ConfigError).message).not.toContain('PRIVATE KEY');
  });
});
