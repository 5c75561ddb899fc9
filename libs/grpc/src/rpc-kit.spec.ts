import { generateKeyPairSync } from 'node:crypto';
import {
  Client,
  Metadata,
  Server,
  ServerCredentials,
  credentials,
  status,
  type ServiceError,
} from '@grpc/grpc-js';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createSigner } from 'fast-jwt';
import { KitError } from '@nexus/core';
import { PUBLIC, RpcKit } from './rpc-kit';
import { readStatusDetails } from './status-mapping';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenVerifier } from './token-verifier';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};
const definition = {
  count: {
    path: '/test.Streams/Count',
    requestStream: false,
    responseStream: true,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  boom: {
    path: '/test.Streams/Boom',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  guarded: {
    path: '/test.Streams/Guarded',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
  reject: {
    path: '/test.Streams/Reject',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

describe('RpcKit', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const logLines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const observed: { path: string; code: string; seconds: number }[] = [];
  const kit = new RpcKit({
    verifier: new TokenVerifier(publicKey),
    logger,
    observe: (path, code, seconds) => observed.push({ path, code, seconds }),
  });
  let server: Server;
  let client: Client;
  const reached: string[] = [];

  beforeAll(async () => {
    server = new Server();
    server.addService(definition, {
      count: kit.serverStream(
        'Count',
        async (call, ctx) => {
          const { upTo } = call.request as { upTo: number };
          if (upTo < 0)
            throw KitError.invalid([{ field: 'up_to', description: 'must not be negative' }]);
          if (upTo > 2) void ctx.caller;
          for (let n = 1; n <= upTo; n += 1) call.write({ n });
        },
        PUBLIC,
      ),
      // Needs a signed-in caller (the default); counts the calls that reached it.
      guarded: kit.unary('Guarded', async (_request: { text: string }, ctx) => {
        reached.push(ctx.caller.userId);
        return { ok: true };
      }),
      // Fails as a bug would; succeeds when asked to, logging nothing.
      boom: kit.unary(
        'Boom',
        async (request: { fail: boolean }) => {
          if (request.fail) throw new Error('the database password is hunter2');
          return { ok: true };
        },
        PUBLIC,
      ),
      // Echoes every bad field of the request back, as validation does for a bad field mask.
      reject: kit.unary(
        'Reject',
        async (request: { fields: string[] }) => {
          throw KitError.invalid(
            request.fields.map((field) => ({ field, description: `"${field}" is not a field` })),
          );
        },
        PUBLIC,
      ),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  const count = async (upTo: number) => {
    const call = client.makeServerStreamRequest(
      definition.count.path,
      json.serialize,
      json.deserialize,
      { upTo },
      new Metadata(),
      { deadline: Date.now() + 5_000 },
    );
    const seen: unknown[] = [];
    for await (const message of call) seen.push(message);
    return seen;
  };

  it('streams what the handler writes and ends with OK', async () => {
    expect(await count(2)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('ends a failed stream with the mapped status instead of leaving the client waiting', async () => {
    await expect(count(-1)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    const error = (await count(3).catch((thrown: unknown) => thrown)) as ServiceError;
    expect(error.code).toBe(status.UNAUTHENTICATED);
  });

  const reject = (fields: string[]) =>
    new Promise<ServiceError>((resolve, reject) => {
      client.makeUnaryRequest(
        definition.reject.path,
        json.serialize,
        json.deserialize,
        { fields },
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (error) => (error ? resolve(error) : reject(new Error('the call succeeded'))),
      );
    });

  it('keeps the status of a request with thousands of bad fields within what a client accepts', async () => {
    const fields = Array.from({ length: 2_000 }, (_, i) => `f${i}${'é😀'.repeat(200)}`);
    const error = await reject(fields);
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details.length).toBeLessThanOrEqual(1_024);
    const { badRequest } = readStatusDetails(error);
    expect(badRequest?.fieldViolations.length).toBeGreaterThan(1);
    expect(badRequest?.fieldViolations.at(-1)?.description).toMatch(/^and \d+ more$/);
    // The connection is still good for the next call.
    expect((await reject(['x'])).details).toContain('"x" is not a field');
  });

  const boom = (fail: boolean, requestId?: string) =>
    new Promise<{ error: ServiceError | null; response: unknown }>((resolve) => {
      const metadata = new Metadata();
      if (requestId) metadata.set('x-request-id', requestId);
      client.makeUnaryRequest(
        definition.boom.path,
        json.serialize,
        json.deserialize,
        { fail },
        metadata,
        { deadline: Date.now() + 5_000 },
        (error, response) => resolve({ error, response }),
      );
    });

  it('observes every call under its gRPC path and status code name, failed ones too', async () => {
    observed.length = 0;
    await count(1);
    await reject(['x']);
    await boom(true);
    await boom(false);
    expect(observed.map(({ path, code }) => [path, code])).toEqual([
      ['/test.Streams/Count', 'OK'],
      ['/test.Streams/Reject', 'INVALID_ARGUMENT'],
      ['/test.Streams/Boom', 'INTERNAL'],
      ['/test.Streams/Boom', 'OK'],
    ]);
    expect(observed.every(({ seconds }) => seconds > 0 && seconds < 5)).toBe(true);
  });

  it('logs an unexpected error under the correlation id it returns, and nothing of it to the caller', async () => {
    logLines.length = 0;
    const given = await boom(true, 'trace-42');
    expect(given.error?.code).toBe(status.INTERNAL);
    expect(given.error?.details).toBe('internal error (correlation id trace-42)');
    expect(logLines).toEqual([
      expect.objectContaining({
        method: 'Boom',
        correlationId: 'trace-42',
        msg: 'unexpected error',
      }),
    ]);

    logLines.length = 0;
    const made = await boom(true);
    const correlationId = /correlation id (\S+)\)/.exec(made.error?.details ?? '')?.[1];
    expect(correlationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(made.error?.metadata.get('x-request-id')).toEqual([correlationId]);
    expect(logLines).toEqual([expect.objectContaining({ method: 'Boom', correlationId })]);
  });

  it('makes no per-call logger for a call that logs nothing', async () => {
    const child = jest.spyOn(logger, 'child');
    try {
      expect((await boom(false)).response).toEqual({ ok: true });
      expect(child).not.toHaveBeenCalled();
    } finally {
      child.mockRestore();
    }
  });

  const guarded = (request: object, token?: string) =>
    new Promise<ServiceError | null>((resolve) => {
      const metadata = new Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      client.makeUnaryRequest(
        definition.guarded.path,
        json.serialize,
        json.deserialize,
        request,
        metadata,
        { deadline: Date.now() + 5_000 },
        (error) => resolve(error),
      );
    });

  it('refuses an RPC not declared public without a valid token, before looking at the request', async () => {
    reached.length = 0;
    // A NUL in a string is INVALID_ARGUMENT for a signed-in caller; a stranger learns only UNAUTHENTICATED.
    for (const token of [undefined, 'not a jwt'])
      expect((await guarded({ text: 'a\u0000b' }, token))?.code).toBe(status.UNAUTHENTICATED);
    expect(reached).toEqual([]);

    const userId = '01900000-0000-7000-8000-000000000001';
    const token = createSigner<Record<string, unknown>>({
      key: privateKey,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      expiresIn: 60_000,
    })({ sub: userId, role: 'user' });
    expect((await guarded({ text: 'a\u0000b' }, token))?.code).toBe(status.INVALID_ARGUMENT);
    expect(await guarded({ text: 'fine' }, token)).toBeNull();
    expect(reached).toEqual([userId]);
  });
});
