import { createServer, type Server as NetServer, type Socket } from 'node:net';
import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { KitError } from '@nexus/core';
import { usersV1 } from '@nexus/proto';
import { createPeerClient, peerDeadline } from './peer-client';
import { UserDirectory } from './user-directory';

type Answer = (callback: sendUnaryData<usersV1.BatchGetUsersResponse>) => void;

/** A real UserService whose BatchGetUsers answers with `answer` (or never, if it never calls back). */
async function usersPeer(answer: Answer) {
  const server = new Server();
  server.addService(usersV1.UserServiceService, {
    batchGetUsers: (
      _call: ServerUnaryCall<usersV1.BatchGetUsersRequest, usersV1.BatchGetUsersResponse>,
      callback: sendUnaryData<usersV1.BatchGetUsersResponse>,
    ) => answer(callback),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** A TCP server that accepts and never sends a byte back. */
async function silentTcp() {
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    accepted: () => sockets.size,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function closedAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** The error a call fails with and after how long. */
async function failure(call: () => Promise<unknown>) {
  const started = Date.now();
  const error = await call().then(
    () => {
      throw new Error('expected the call to fail');
    },
    (thrown: unknown) => thrown,
  );
  return { error, elapsedMs: Date.now() - started };
}

const unavailable = (peer: string) =>
  expect.objectContaining({
    code: 'DEPENDENCY_UNAVAILABLE',
    kind: 'unavailable',
    metadata: { peer },
  }) as unknown;

describe('createPeerClient', () => {
  it('answers DEPENDENCY_UNAVAILABLE naming the peer before the caller’s deadline when the peer accepts TCP and never answers', async () => {
    const peer = await silentTcp();
    const client = createPeerClient(usersV1.UserServiceService, {
      peer: 'users',
      address: peer.address,
      timeoutMs: 30_000,
    });
    try {
      const { error, elapsedMs } = await failure(() =>
        client.batchGetUsers({ ids: [] }, { deadline: new Date(Date.now() + 2_000) }),
      );
      expect(error).toBeInstanceOf(KitError);
      expect(error).toEqual(unavailable('users'));
      expect(peer.accepted()).toBeGreaterThan(0);
      // The reserve (a fifth of the time left, here 400 ms) is left to answer in.
      expect(elapsedMs).toBeGreaterThanOrEqual(1_580);
      expect(elapsedMs).toBeLessThan(2_000);
    } finally {
      client.close();
      await peer.stop();
    }
  });

  it('gives up on a peer whose handler never answers after the peer’s own timeout when the caller would wait longer', async () => {
    const peer = await usersPeer(() => undefined);
    const client = createPeerClient(usersV1.UserServiceService, {
      peer: 'users',
      address: peer.address,
      timeoutMs: 300,
    });
    try {
      const { error, elapsedMs } = await failure(() =>
        client.batchGetUsers({ ids: [] }, { deadline: new Date(Date.now() + 20_000) }),
      );
      expect(error).toEqual(unavailable('users'));
      expect(elapsedMs).toBeGreaterThanOrEqual(280);
      expect(elapsedMs).toBeLessThan(1_500);
    } finally {
      client.close();
      peer.stop();
    }
  });

  it('answers DEPENDENCY_UNAVAILABLE quickly for a peer that refuses connections', async () => {
    const client = createPeerClient(usersV1.UserServiceService, {
      peer: 'content',
      address: await closedAddress(),
      timeoutMs: 5_000,
    });
    try {
      const { error, elapsedMs } = await failure(() => client.batchGetUsers({ ids: [] }));
      expect(error).toEqual(unavailable('content'));
      expect(elapsedMs).toBeLessThan(3_000);
    } finally {
      client.close();
    }
  });

  it('maps the peer refusing the caller’s token or access to UNAUTHENTICATED and PERMISSION_DENIED, and passes other statuses on', async () => {
    let code = status.UNAUTHENTICATED;
    const peer = await usersPeer((callback) => callback({ code, details: 'no' }));
    const client = createPeerClient(usersV1.UserServiceService, {
      peer: 'users',
      address: peer.address,
      timeoutMs: 5_000,
    });
    try {
      const call = () => client.batchGetUsers({ ids: [] });
      expect((await failure(call)).error).toMatchObject({
        code: 'UNAUTHENTICATED',
        kind: 'unauthenticated',
        metadata: { peer: 'users' },
      });
      code = status.PERMISSION_DENIED;
      expect((await failure(call)).error).toMatchObject({
        code: 'PERMISSION_DENIED',
        kind: 'permission_denied',
        message: 'the users service refused the caller: no',
      });
      code = status.NOT_FOUND;
      const notFound = (await failure(call)).error as ServiceError;
      expect(notFound).not.toBeInstanceOf(KitError);
      expect(notFound.code).toBe(status.NOT_FOUND);
    } finally {
      client.close();
      peer.stop();
    }
  });
});

describe('UserDirectory', () => {
  const caller = { userId: 'u', role: 'user' as const, token: 't' };

  it('names every unknown or deactivated user’s field under one reason', async () => {
    const active = usersV1.User.fromPartial({ id: 'a', isActive: true });
    const gone = usersV1.User.fromPartial({ id: 'g', isActive: false });
    const peer = await usersPeer((callback) => callback(null, { users: [active, gone] }));
    const directory = new UserDirectory({ address: peer.address, timeoutMs: 5_000 });
    try {
      await directory.requireActive(caller, [{ id: 'a', field: 'user_id' }], undefined);
      const { error } = await failure(() =>
        directory.requireActive(
          caller,
          [
            { id: 'a', field: 'member_ids[0]' },
            { id: 'g', field: 'member_ids[1]' },
          ],
          undefined,
        ),
      );
      expect(error).toMatchObject({
        code: 'UNKNOWN_USER',
        kind: 'invalid_argument',
        violations: [{ field: 'member_ids[1]', reason: 'UNKNOWN_USER' }],
      });
    } finally {
      directory.close();
      peer.stop();
    }
  });

  it('answers DEPENDENCY_UNAVAILABLE naming users when the users service hangs', async () => {
    const peer = await silentTcp();
    const directory = new UserDirectory({ address: peer.address, timeoutMs: 400 });
    try {
      const { error, elapsedMs } = await failure(() =>
        directory.requireActive(caller, [{ id: 'a', field: 'user_id' }], undefined),
      );
      expect(error).toEqual(unavailable('users'));
      expect(elapsedMs).toBeLessThan(1_500);
    } finally {
      directory.close();
      await peer.stop();
    }
  });
});

describe('peerDeadline', () => {
  it('keeps a fifth of the time left, at most 500 ms, for the caller’s answer', () => {
    const now = 1_000_000;
    expect(peerDeadline(new Date(now + 1_000), now)?.getTime()).toBe(now + 800);
    expect(peerDeadline(new Date(now + 10_000), now)?.getTime()).toBe(now + 9_500);
    expect(peerDeadline(new Date(now - 5), now)?.getTime()).toBe(now - 5);
    expect(peerDeadline(undefined, now)).toBeUndefined();
  });
});
