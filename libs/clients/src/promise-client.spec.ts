import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { usersV1 } from '@nexus/proto';
import { createUsersClient } from './index';

/** A UserService whose GetJwks fails `failures` times with UNAVAILABLE, recording what it saw. */
async function flakyServer(failures: number) {
  const seen: { authorization: unknown; deadline: unknown }[] = [];
  const server = new Server();
  server.addService(usersV1.UserServiceService, {
    getJwks: (
      call: ServerUnaryCall<usersV1.GetJwksRequest, usersV1.GetJwksResponse>,
      callback: sendUnaryData<usersV1.GetJwksResponse>,
    ) => {
      seen.push({
        authorization: call.metadata.get('authorization')[0],
        deadline: call.getDeadline(),
      });
      if (seen.length <= failures) callback({ code: status.UNAVAILABLE, details: 'warming up' });
      else
        callback(null, {
          keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'x', kid: 'k', alg: 'EdDSA', use: 'sig' }],
        });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, seen, stop: () => server.forceShutdown() };
}

describe('createUsersClient', () => {
  it('retries UNAVAILABLE with backoff and sends the bearer token', async () => {
    const server = await flakyServer(2);
    const client = createUsersClient({ address: `127.0.0.1:${server.port}`, token: 'tok' });
    try {
      const response = await client.getJwks({});
      expect(response.keys[0]?.kid).toBe('k');
      expect(server.seen).toHaveLength(3);
      expect(server.seen[0]?.authorization).toBe('Bearer tok');
    } finally {
      client.close();
      server.stop();
    }
  });

  it('gives up after its retries and passes the caller deadline on', async () => {
    const server = await flakyServer(100);
    const client = createUsersClient({ address: `127.0.0.1:${server.port}`, retries: 1 });
    const deadline = new Date(Date.now() + 2_000);
    try {
      await expect(client.getJwks({}, { deadline })).rejects.toMatchObject({
        code: status.UNAVAILABLE,
      });
      expect(server.seen).toHaveLength(2);
      const seenDeadline = new Date(server.seen[0]?.deadline as number | Date);
      expect(Math.abs(seenDeadline.getTime() - deadline.getTime())).toBeLessThan(100);
    } finally {
      client.close();
      server.stop();
    }
  });
});
