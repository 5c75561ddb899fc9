/**
 * The image's layout, without Docker: the users service and the nexus CLI as
 * `nx build` bundles them, in a folder holding nothing but dist/, the service
 * roles' SQL and the production node_modules `npm ci --omit=dev` installs from
 * the pruned lock (tools/runtime-package.ts), exactly as the Dockerfile's
 * runtime stage. The service must start with node, answer /readyz and the
 * gRPC health check, and write and read through TypeORM (the bundle carries no
 * decorator metadata); the CLI must run the migrations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createUsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { usersV1 } from '@nexus/proto';
import { TEST_PASSWORD, signTestToken, startAppProcess, type AppProcess } from '@nexus/testing';
import { writeRuntimePackage } from './runtime-package';

const ROOT = path.resolve(__dirname, '..');

let image: string;
let users: AppProcess | undefined;

beforeAll(async () => {
  // Cached by Nx when nothing changed since the last build.
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  image = mkdtempSync(path.join(tmpdir(), 'nexus-built-'));
  for (const dir of ['dist', 'infra/db'])
    cpSync(path.join(ROOT, dir), path.join(image, dir), { recursive: true });
  writeRuntimePackage(path.join(image, 'dist'), image);
  execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: image,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  users = await startAppProcess(
    'users',
    { SELF_SIGNUP_ENABLED: 'true' },
    { cwd: image, main: 'dist/apps/users/main.js' },
  );
}, 180_000);

afterAll(async () => {
  await users?.stop();
  if (image) rmSync(image, { recursive: true, force: true });
});

function healthCheck(address: string, service: string): Promise<string> {
  const proto = path.join(
    path.dirname(require.resolve('grpc-health-check/package.json')),
    'proto/health/v1/health.proto',
  );
  const grpc = loadPackageDefinition(loadSync(proto, { enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, creds: unknown) => Client } } };
  };
  const client = new grpc.grpc.health.v1.Health(address, credentials.createInsecure()) as Client & {
    Check(
      request: { service: string },
      callback: (error: ServiceError | null, value: { status: string }) => void,
    ): void;
  };
  return new Promise<string>((resolve, reject) =>
    client.Check({ service }, (error, value) => {
      client.close();
      if (error) reject(error);
      else resolve(value.status);
    }),
  ).finally(() => client.close());
}

it('runs the production install only: no TypeScript runner, no dev dependency', () => {
  const installed = execFileSync('npm', ['ls', '--omit=dev', '--depth=0', '--parseable'], {
    cwd: image,
    encoding: 'utf8',
  });
  const names = installed
    .split('\n')
    .map((line) => path.relative(path.join(image, 'node_modules'), line));
  expect(names).toEqual(expect.arrayContaining(['typeorm', 'pg', '@grpc/grpc-js']));
  expect(names).not.toContain('tsx');
  expect(names).not.toContain('typescript');
  expect(names).not.toContain('nx');
});

it('serves gRPC health from dist/apps/users/main.js', async () => {
  expect(await healthCheck(users!.grpcAddress, 'nexus.users.v1.UserService')).toBe('SERVING');
});

it('signs a user up and reads it back through the bundled entities', async () => {
  const anonymous = createUsersClient({ address: users!.grpcAddress });
  const admin = createUsersClient({
    address: users!.grpcAddress,
    token: signTestToken({ role: 'admin', userId: uuidv7() }),
  });
  try {
    const tag = uuidv7().slice(-12);
    const created = await anonymous.createUser({
      user: usersV1.User.fromPartial({
        email: `built-${tag}@example.com`,
        username: `built-${tag}`,
        fullName: 'Built Bundle',
      }),
      password: TEST_PASSWORD,
      requestId: uuidv7(),
    });
    expect(await admin.getUser({ id: created.id })).toMatchObject({
      id: created.id,
      username: `built-${tag}`,
      fullName: 'Built Bundle',
    });
  } finally {
    anonymous.close();
    admin.close();
  }
});

// esbuild emits no decorator metadata: `db generate` compares the bundled
// entities with the migrated schema and must find nothing to generate.
it('migrates every schema with the bundled nexus CLI, and its entities agree with the migrations', () => {
  const nexus = (...args: string[]) =>
    spawnSync(process.execPath, ['dist/tools/nexus/main.js', ...args], {
      cwd: image,
      encoding: 'utf8',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  const migrated = nexus('db', 'migrate', 'all');
  expect([migrated.status, migrated.stderr]).toEqual([0, '']);
  for (const service of ['users', 'content', 'comms', 'work', 'ai-usage', 'analytics']) {
    // stderr may also hold TypeORM's pg deprecation warning.
    const generated = nexus('db', 'generate', service, 'drift');
    expect(generated.status).toBe(1);
    expect(generated.stderr).toContain(
      `nexus: ${service}: entities and migrations already agree; nothing to generate`,
    );
  }
}, 120_000);
