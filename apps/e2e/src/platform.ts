import { generateKeyPairSync } from 'node:crypto';
import { createUsersClient, type UsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import {
  TEST_PASSWORD,
  type AppProcess,
  type TestUser,
  signTestToken,
  startAppProcess,
} from '@nexus/testing';
import { commonV1, aiUsageV1, commsV1, contentV1, usersV1, workV1 } from '@nexus/proto';
import { RawClient, type Outcome } from './raw-call';
import type { Role } from '@nexus/core';

/** The gRPC services under test, by the name their process is started with. */
export const GRPC_SERVICES = ['users', 'content', 'comms', 'work', 'ai-usage'] as const;
export type ServiceName = (typeof GRPC_SERVICES)[number];

/** Each service's generated definitions, and its database schema. */
export const SERVICE_PROTOS: Record<ServiceName, { module: object; schema: string }> = {
  users: { module: usersV1, schema: 'users' },
  content: { module: contentV1, schema: 'content' },
  comms: { module: commsV1, schema: 'comms' },
  work: { module: workV1, schema: 'work' },
  'ai-usage': { module: aiUsageV1, schema: 'ai_usage' },
};

export interface MethodDef {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(value: Buffer): unknown;
}

export interface RpcMethod {
  service: ServiceName;
  /** e.g. GetUser */
  name: string;
  path: string;
  def: MethodDef;
  /** The generated request message (fromPartial/encode), e.g. GetUserRequest. */
  request: {
    fromPartial(value: object): unknown;
    encode(value: unknown): { finish(): Uint8Array };
  };
}

/** Every method of every gRPC service, straight from the generated definitions. */
export function allMethods(): RpcMethod[] {
  const methods: RpcMethod[] = [];
  for (const service of GRPC_SERVICES) {
    const mod = SERVICE_PROTOS[service].module as Record<string, unknown>;
    for (const [key, definition] of Object.entries(mod)) {
      if (!key.endsWith('ServiceService')) continue;
      for (const def of Object.values(definition as Record<string, MethodDef>)) {
        const name = def.path.split('/').pop() as string;
        const request = mod[`${name}Request`] as RpcMethod['request'] | undefined;
        if (!request) throw new Error(`no ${name}Request message for ${def.path}`);
        methods.push({ service, name, path: def.path, def, request });
      }
    }
  }
  return methods;
}

/**
 * A Watch RPC (server-streaming, `Watch*`): the access matrix and the fuzz
 * suite call it like a unary RPC, judged by its first item or status.
 */
export function isWatch(method: RpcMethod): boolean {
  return !method.def.requestStream && method.def.responseStream && method.name.startsWith('Watch');
}

/** The RPCs the access matrix and the fuzz suite call: every unary RPC and every Watch. */
export function judgedMethods(): RpcMethod[] {
  return allMethods().filter(
    (method) => (!method.def.requestStream && !method.def.responseStream) || isWatch(method),
  );
}

/** Calls a judged RPC with raw bytes: a unary call, or a Watch up to its first item. */
export function invoke(
  client: RawClient,
  method: RpcMethod,
  payload: Buffer,
  token?: string,
): Promise<Outcome> {
  return isWatch(method)
    ? client.watch(method.path, payload, token)
    : client.call(method.path, payload, token);
}

export const ROLE_OF: Record<Role, commonV1.Role> = {
  admin: commonV1.Role.ROLE_ADMIN,
  manager: commonV1.Role.ROLE_MANAGER,
  user: commonV1.Role.ROLE_USER,
  guest: commonV1.Role.ROLE_GUEST,
};

export interface Platform {
  usersClient: UsersClient;
  admin: TestUser;
  /** Creates a user of `role` and signs it in. */
  signUp(role: Role): Promise<TestUser>;
  apps: Record<ServiceName, AppProcess>;
  stop(): Promise<void>;
}

/** users first (the others verify its users), then the rest wired to each other. */
export async function startPlatform(env: Record<string, string> = {}): Promise<Platform> {
  const adminEmail = `admin-${uuidv7().slice(-12)}@example.com`;
  const users = await startAppProcess('users', {
    // Every caller of the run is 127.0.0.1: the per-source sign-in throttle
    // would lock them all out after the fuzz suite's wrong passwords.
    SIGN_IN_SOURCE_SOFT_LIMIT: '1000000',
    SIGN_IN_SOURCE_HARD_LIMIT: '1000000',
    ...env,
    NEXUS_ADMIN_EMAIL: adminEmail,
    NEXUS_ADMIN_PASSWORD: TEST_PASSWORD,
  });
  const withUsers = { ...env, USERS_GRPC_ADDRESS: users.grpcAddress };
  const [content, work, aiUsage] = await Promise.all([
    startAppProcess('content', withUsers),
    startAppProcess('work', withUsers),
    startAppProcess('ai-usage', withUsers),
  ]);
  const comms = await startAppProcess('comms', {
    ...withUsers,
    CONTENT_GRPC_ADDRESS: content.grpcAddress,
  });
  const usersClient = createUsersClient({ address: users.grpcAddress });
  const session = await usersClient.authenticate({ login: adminEmail, password: TEST_PASSWORD });
  const admin = { user: session.user!, token: session.accessToken };
  const apps = { users, content, comms, work, 'ai-usage': aiUsage };
  return {
    usersClient,
    admin,
    apps,
    signUp: async (role) => {
      const tag = uuidv7().slice(-12);
      const user = await usersClient.createUser(
        {
          user: usersV1.User.fromPartial({
            email: `u-${tag}@example.com`,
            username: `u-${tag}`,
            fullName: `User ${tag}`,
            role: ROLE_OF[role],
          }),
          password: TEST_PASSWORD,
          requestId: '',
        },
        { token: admin.token },
      );
      const signedIn = await usersClient.authenticate({
        login: user.email,
        password: TEST_PASSWORD,
      });
      return { user: signedIn.user!, token: signedIn.accessToken };
    },
    stop: async () => {
      usersClient.close();
      await Promise.all([content, work, aiUsage, comms].map((app) => app.stop()));
      await users.stop();
    },
  };
}

/** One signed-in user of each role (the admin is the users service's own). */
export async function signInEveryRole(platform: Platform): Promise<Record<Role, TestUser>> {
  return {
    admin: platform.admin,
    manager: await platform.signUp('manager'),
    user: await platform.signUp('user'),
    guest: await platform.signUp('guest'),
  };
}

/**
 * An admin's token that the users service has revoked (the admin changed
 * their password after it was issued), once every service refuses it.
 */
export async function revokedAdminToken(platform: Platform): Promise<string> {
  const admin = await platform.signUp('admin');
  await platform.usersClient.changePassword(
    { id: admin.user.id, oldPassword: TEST_PASSWORD, newPassword: `${TEST_PASSWORD}-changed` },
    { token: admin.token },
  );
  const probes = GRPC_SERVICES.map((service) => {
    const method = allMethods().find(
      (m) => m.service === service && m.name.startsWith('Get') && m.name !== 'GetJwks',
    )!;
    return { method, client: new RawClient(platform.apps[service].grpcAddress) };
  });
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const outcomes = await Promise.all(
        probes.map(({ method, client }) => client.call(method.path, Buffer.alloc(0), admin.token)),
      );
      if (outcomes.every((outcome) => outcome.reason === 'TOKEN_REVOKED')) return admin.token;
      if (Date.now() > deadline) throw new Error('the token was not revoked everywhere in 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    for (const { client } of probes) client.close();
  }
}

/** Tokens the services must refuse: expired, and signed by a key they do not trust. */
export function invalidTokens(userId: string): { expired: string; foreignKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    expired: signTestToken({ role: 'admin', userId, issuedAt: Date.now() - 3_600_000 }),
    foreignKey: signTestToken({ role: 'admin', userId, key: privateKey }),
  };
}
