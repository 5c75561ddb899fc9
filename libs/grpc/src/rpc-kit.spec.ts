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
import pino from 'pino';
import { KitError } from '@nexus/core';
import { RpcKit } from './rpc-kit';
import { readStatusDetails } from './status-mapping';
import { TokenVerifier } from './token-verifier';

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
  const { publicKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const kit = new RpcKit({
    verifier: new TokenVerifier(publicKey),
    logger: pino({ level: 'silent' }),
  });
  let server: Server;
  let client: Client;

  beforeAll(async () => {
    server = new Server();
    server.addService(definition, {
      count: kit.serverStream('Count', async (call, ctx) => {
        const { upTo } = call.request as { upTo: number };
        if (upTo < 0)
          throw KitError.invalid([{ field: 'up_to', description: 'must not be negative' }]);
        if (upTo > 2) ctx.requirePrincipal();
        for (let n = 1; n <= upTo; n += 1) call.write({ n });
      }),
      // Echoes every bad field of the request back, as validation does for a bad field mask.
      reject: kit.unary('Reject', async (request: { fields: string[] }) => {
        throw KitError.invalid(
          request.fields.map((field) => ({ field, description: `"${field}" is not a field` })),
        );
      }),
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
});
