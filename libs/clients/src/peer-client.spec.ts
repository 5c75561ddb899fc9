import { createServer, type Server as NetServer, type Socket } from 'node:net';
import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { KitError } from '@nexus/core';
import { googleRpc, usersV1 } from '@nexus/proto';
import { readNotFoundId } from './not-found';
import { createPeerClient, peerDeadline } from './peer-client';
import { UserDirectory } from './user-directory';

type Answer = (
  callback: sendUnaryData<usersV1.BatchGetUsersResponse>,
  ids: readonly string[],
) => void;

/** A real UserService whose BatchGetUsers answers with `answer` (or never, if it never calls back). */
async function usersPeer(answer: Answer) {
  const server = new Server();
  server.addService(usersV1.UserServiceService, {
    batchGetUsers: (
      call: ServerUnaryCall<usersV1.BatchGetUsersRequest, usersV1.BatchGetUsersResponse>,
      callback: sendUnaryData<usersV1.BatchGetUsersResponse>,
    ) => answer(callback, call.request.ids),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** A NOT_FOUND naming `id` in its ErrorInfo, as the platform's KitError.notFound sends it. */
function notFoundNaming(id: string): Partial<ServiceError> {
  const info = googleRpc.ErrorInfo.encode({
    reason: 'NOT_FOUND',
    domain: 'nexus',
    metadata: { resource: 'user', id },
  }).finish();
  const details = googleRpc.Status.encode({
    code: status.NOT_FOUND,
    message: `user ${id} not found`,
    details: [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: Buffer.from(info) }],
  }).finish();
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(details));
  return { code: status.NOT_FOUND, details: `user ${id} not found`, metadata };
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

  it('maps the peer refusing the caller’s token or access to UNAUTHENTICATED and PERMISSION_DENIED with fixed messages, nothing of the peer’s details', async () => {
    const secret = 'user 0190-secret-id lacks grant admin:billing in tenant acme-internal';
    let code = status.UNAUTHENTICATED;
    const peer = await usersPeer((callback) => callback({ code, details: secret }));
    const client = createPeerClient(usersV1.UserServiceService, {
      peer: 'users',
      address: peer.address,
      timeoutMs: 5_000,
    });
    try {
      const call = () => client.batchGetUsers({ ids: [] });
      const unauthenticated = (await failure(call)).error;
      expect(unauthenticated).toBeInstanceOf(KitError);
      expect(unauthenticated).toMatchObject({
        code: 'UNAUTHENTICATED',
        kind: 'unauthenticated',
        message: "the users service did not accept the caller's token",
        metadata: { peer: 'users' },
      });
      code = status.PERMISSION_DENIED;
      const denied = (await failure(call)).error as KitError;
      expect(denied).toBeInstanceOf(KitError);
      expect(denied).toMatchObject({
        code: 'PERMISSION_DENIED',
        kind: 'permission_denied',
        message: 'the users service refused the caller',
        metadata: { peer: 'users' },
      });
      for (const error of [unauthenticated, denied] as KitError[]) {
        const said = JSON.stringify([error.message, error.metadata, error.violations]);
        expect(said).not.toMatch(/secret|admin:billing|acme-internal|lacks grant/);
      }
    } finally {
      client.close();
      peer.stop();
    }
  });

  it.each([
    ['INTERNAL', status.INTERNAL, 'DEPENDENCY_FAILED'],
    ['UNKNOWN', status.UNKNOWN, 'DEPENDENCY_FAILED'],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT, 'DEPENDENCY_FAILED'],
    ['FAILED_PRECONDITION', status.FAILED_PRECONDITION, 'DEPENDENCY_FAILED'],
    ['NOT_FOUND naming no id', status.NOT_FOUND, 'DEPENDENCY_FAILED'],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED, 'DEPENDENCY_UNAVAILABLE'],
    ['ABORTED', status.ABORTED, 'DEPENDENCY_UNAVAILABLE'],
    ['CANCELLED', status.CANCELLED, 'DEPENDENCY_UNAVAILABLE'],
  ])(
    'maps a peer answering %s to a KitError %s of kind unavailable, naming the peer and nothing it said',
    async (_name, code, expected) => {
      const peer = await usersPeer((callback) =>
        callback({ code, details: 'pq: relation "users_secret" at 10.0.3.7' }),
      );
      const client = createPeerClient(usersV1.UserServiceService, {
        peer: 'users',
        address: peer.address,
        timeoutMs: 5_000,
        retries: 0,
      });
      try {
        const { error } = await failure(() => client.batchGetUsers({ ids: [] }));
        expect(error).toBeInstanceOf(KitError);
        expect(error).toMatchObject({
          code: expected,
          kind: 'unavailable',
          metadata: { peer: 'users' },
        });
        expect((error as Error).message).toContain('users service');
        expect((error as Error).message).not.toMatch(/users_secret|10\.0\.3\.7|pq:/);
      } finally {
        client.close();
        peer.stop();
      }
    },
  );

  it('passes a NOT_FOUND naming an id on as the peer sent it, for the lookup to attribute', async () => {
    const peer = await usersPeer((callback) => callback(notFoundNaming('x')));
    const client = createPeerClient(usersV1.UserServiceService, {
      peer: 'users',
      address: peer.address,
      timeoutMs: 5_000,
    });
    try {
      const notFound = (await failure(() => client.batchGetUsers({ ids: ['x'] }))).error;
      expect(notFound).not.toBeInstanceOf(KitError);
      expect((notFound as ServiceError).code).toBe(status.NOT_FOUND);
      expect(readNotFoundId(notFound as ServiceError)).toBe('x');
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

  it('answers the name and address of every named user and of those it was asked to describe', async () => {
    const named = usersV1.User.fromPartial({
      id: 'a',
      isActive: true,
      fullName: 'Ada Lovelace',
      email: 'ada@example.com',
    });
    const sender = usersV1.User.fromPartial({
      id: 's',
      isActive: false,
      fullName: 'Sam Sender',
      email: 'sam@example.com',
    });
    let asked: readonly string[] = [];
    const peer = await usersPeer((callback, ids) => {
      asked = ids;
      callback(null, { users: [named, sender].filter((user) => ids.includes(user.id)) });
    });
    const directory = new UserDirectory({ address: peer.address, timeoutMs: 5_000 });
    try {
      const names = await directory.requireActive(
        caller,
        [{ id: 'a', field: 'to[0]' }],
        undefined,
        ['s'],
      );
      // One call; the described user is not checked (a deactivated one is still named).
      expect(asked).toEqual(['a', 's']);
      expect(Object.fromEntries(names)).toEqual({
        a: { fullName: 'Ada Lovelace', email: 'ada@example.com' },
        s: { fullName: 'Sam Sender', email: 'sam@example.com' },
      });
      expect(await directory.requireActive(caller, [], undefined)).toEqual(new Map());
    } finally {
      directory.close();
      peer.stop();
    }
  });

  it('attributes the users service’s NOT_FOUND to the request field naming the user', async () => {
    const active = usersV1.User.fromPartial({ id: 'a', isActive: true });
    const peer = await usersPeer((callback, ids) =>
      ids.includes('x') ? callback(notFoundNaming('x')) : callback(null, { users: [active] }),
    );
    const directory = new UserDirectory({ address: peer.address, timeoutMs: 5_000 });
    try {
      const { error } = await failure(() =>
        directory.requireActive(
          caller,
          [
            { id: 'a', field: 'member_ids[0]' },
            { id: 'x', field: 'member_ids[1]' },
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

  it('answers DEPENDENCY_FAILED naming users for a NOT_FOUND it cannot attribute', async () => {
    let answer = notFoundNaming('not-asked-for');
    const peer = await usersPeer((callback) => callback(answer));
    const directory = new UserDirectory({ address: peer.address, timeoutMs: 5_000 });
    try {
      const call = () =>
        directory.requireActive(caller, [{ id: 'a', field: 'user_id' }], undefined);
      expect((await failure(call)).error).toMatchObject({
        code: 'DEPENDENCY_FAILED',
        kind: 'unavailable',
        metadata: { peer: 'users' },
      });
      answer = { code: status.NOT_FOUND, details: 'user a not found' };
      const { error } = await failure(call);
      expect(error).toMatchObject({ code: 'DEPENDENCY_FAILED', metadata: { peer: 'users' } });
      expect((error as Error).message).not.toContain('user a');
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
