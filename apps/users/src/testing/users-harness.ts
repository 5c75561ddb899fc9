import { createUsersClient, type UsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { commonV1, usersV1 } from '@nexus/proto';
import { startService, type RunningService } from '@nexus/runtime';
import { usersConfig } from '../config';
import { usersService } from '../users.app';

export const PASSWORD = 'correct horse battery staple';

export interface SignedUp {
  user: usersV1.User;
  token: string;
  password: string;
}

/** A users service on loopback with an admin, a client, and sign-up helpers. */
export interface UsersHarness {
  service: RunningService;
  client: UsersClient;
  adminToken: string;
  admin: usersV1.User;
  signUp(overrides?: Partial<usersV1.User>): Promise<SignedUp>;
  stop(): Promise<void>;
}

export function uniqueUser(overrides: Partial<usersV1.User> = {}): usersV1.User {
  const tag = uuidv7().slice(-12);
  return usersV1.User.fromPartial({
    email: `user-${tag}@example.com`,
    username: `user-${tag}`,
    fullName: `Test User ${tag}`,
    ...overrides,
  });
}

export async function startUsers(env: Record<string, string> = {}): Promise<UsersHarness> {
  const adminEmail = `admin-${uuidv7().slice(-12)}@example.com`;
  const config = usersConfig({
    ...process.env,
    BIND_HOST: '127.0.0.1',
    USERS_GRPC_PORT: '0',
    USERS_HTTP_PORT: '0',
    NEXUS_ADMIN_EMAIL: adminEmail,
    NEXUS_ADMIN_PASSWORD: PASSWORD,
    // Every test of the run signs in from 127.0.0.1 against one database: the
    // per-source throttle would hold one file's failures against the next.
    // Tests of the source throttle set their own limits.
    SIGN_IN_SOURCE_SOFT_LIMIT: '1000000',
    SIGN_IN_SOURCE_HARD_LIMIT: '1000000',
    ...env,
  });
  const service = await startService(usersService(config), config.service);
  const client = createUsersClient({ address: `127.0.0.1:${service.grpcPort}` });
  const adminSession = await client.authenticate({ login: adminEmail, password: PASSWORD });

  return {
    service,
    client,
    adminToken: adminSession.accessToken,
    admin: adminSession.user!,
    signUp: async (overrides = {}) => {
      const role = overrides.role ?? commonV1.Role.ROLE_USER;
      const user = await client.createUser(
        { user: uniqueUser({ ...overrides, role }), password: PASSWORD, requestId: '' },
        role === commonV1.Role.ROLE_USER ? {} : { token: adminSession.accessToken },
      );
      // Signed in, so the user carries its sign-in bookkeeping (as Authenticate answers it).
      const signedIn = await client.authenticate({ login: user.email, password: PASSWORD });
      return { user: signedIn.user!, token: signedIn.accessToken, password: PASSWORD };
    },
    stop: async () => {
      client.close();
      await service.stop();
    },
  };
}
