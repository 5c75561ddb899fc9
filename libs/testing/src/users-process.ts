import { createUsersClient, type UsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { commonV1, usersV1 } from '@nexus/proto';
import { startAppProcess } from './app-process';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  user: usersV1.User;
  token: string;
}

/** A real users service in a child process, for the tests of services that call it. */
export interface UsersProcess {
  /** host:port of its gRPC server, for the service under test's configuration. */
  address: string;
  client: UsersClient;
  admin: TestUser;
  /** Creates a user of `role` (default user) and signs it in. */
  signUp(role?: commonV1.Role): Promise<TestUser>;
  /** Deactivates a user (as admin). */
  deactivate(userId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the users service as its own process (on the run's database and
 * broker, free loopback ports) so another service's tests can sign users up,
 * get real tokens and have their gRPC lookups answered, without importing
 * another app's code.
 */
export async function startUsersProcess(): Promise<UsersProcess> {
  const adminEmail = `admin-${uuidv7().slice(-12)}@example.com`;
  const app = await startAppProcess('users', {
    NEXUS_ADMIN_EMAIL: adminEmail,
    NEXUS_ADMIN_PASSWORD: TEST_PASSWORD,
  });
  const address = app.grpcAddress;
  const client = createUsersClient({ address });
  const adminSession = await client
    .authenticate({ login: adminEmail, password: TEST_PASSWORD })
    .catch(async (error: unknown) => {
      client.close();
      await app.stop();
      throw error;
    });
  const admin = { user: adminSession.user!, token: adminSession.accessToken };

  return {
    address,
    client,
    admin,
    signUp: async (role = commonV1.Role.ROLE_USER) => {
      const tag = uuidv7().slice(-12);
      const user = await client.createUser(
        {
          user: usersV1.User.fromPartial({
            email: `u-${tag}@example.com`,
            username: `u-${tag}`,
            fullName: `User ${tag}`,
            role,
          }),
          password: TEST_PASSWORD,
          requestId: '',
        },
        { token: admin.token },
      );
      const session = await client.authenticate({ login: user.email, password: TEST_PASSWORD });
      return { user: session.user!, token: session.accessToken };
    },
    deactivate: async (userId) => {
      await client.deleteUser({ id: userId, etag: '', hard: false }, { token: admin.token });
    },
    stop: async () => {
      client.close();
      await app.stop();
    },
  };
}
