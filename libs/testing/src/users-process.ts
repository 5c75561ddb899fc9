import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createUsersClient, type UsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { commonV1, usersV1 } from '@nexus/proto';
import { freePorts } from '@nexus/stack';

const ROOT = path.resolve(__dirname, '../../..');
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
  const [grpcPort, httpPort] = await freePorts(2);
  const adminEmail = `admin-${uuidv7().slice(-12)}@example.com`;
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'apps/users/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BIND_HOST: '127.0.0.1',
        USERS_GRPC_PORT: String(grpcPort),
        USERS_HTTP_PORT: String(httpPort),
        NEXUS_ADMIN_EMAIL: adminEmail,
        NEXUS_ADMIN_PASSWORD: TEST_PASSWORD,
        LOG_LEVEL: process.env.LOG_LEVEL === 'silent' ? 'warn' : (process.env.LOG_LEVEL ?? 'warn'),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  await waitUntilReady(child, httpPort);
  const address = `127.0.0.1:${grpcPort}`;
  const client = createUsersClient({ address });
  const adminSession = await client.authenticate({ login: adminEmail, password: TEST_PASSWORD });
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
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilReady(
  child: ChildProcess,
  httpPort: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the users service exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the users service was not ready within ${timeoutMs / 1000} s`);
}
