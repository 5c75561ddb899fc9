/**
 * The API from a second language: Python stubs generated from proto/ by
 * protoc (Debian's 3.21: proto3 `optional` needs no flag from 3.15 on) call
 * a users service running as its own process: a public RPC, sign-in, an
 * authenticated read, `optional` filters, and a call without a token.
 * Needs protoc, grpc_python_plugin and Python's grpcio and protobuf
 * (`.ci/run` installs Debian's packages); PYTHON and PROTOC name others.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createUsersClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { signTestToken, startAppProcess, type AppProcess } from '@nexus/testing';

const ROOT = path.resolve(__dirname, '../../..');
const PROTO = path.join(ROOT, 'proto');
// Debian's interpreter, where python3-grpcio installs (a pyenv python3 on PATH has none).
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const PROTOC = process.env.PROTOC ?? 'protoc';
const INSTALL =
  'apt-get install protobuf-compiler protobuf-compiler-grpc python3-grpcio python3-protobuf (as .ci/run does)';

let users: AppProcess;
let stubs: string;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${command}: ${result.error.message}; ${INSTALL}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

function protoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return protoFiles(file);
    return name.endsWith('.proto') ? [path.relative(PROTO, file)] : [];
  });
}

beforeAll(async () => {
  stubs = mkdtempSync(path.join(tmpdir(), 'nexus-python-stubs-'));
  const plugin = run('sh', ['-c', 'command -v grpc_python_plugin || true']).trim();
  if (!plugin) throw new Error(`grpc_python_plugin not found; ${INSTALL}`);
  run(PROTOC, [
    `-I${PROTO}`,
    `--python_out=${stubs}`,
    `--grpc_python_out=${stubs}`,
    `--plugin=protoc-gen-grpc_python=${plugin}`,
    ...protoFiles(path.join(PROTO, 'nexus')),
  ]);
  users = await startAppProcess('users', { SELF_SIGNUP_ENABLED: 'true' });
}, 120_000);

afterAll(async () => {
  await users?.stop();
  if (stubs) rmSync(stubs, { recursive: true, force: true });
});

it('generates Python stubs with protoc that call the users service as a TypeScript client would', () => {
  const version = run(PROTOC, ['--version']).trim();
  expect(version).toMatch(/^libprotoc (3\.(1[5-9]|2\d)|[4-9]\d*\.|\d{2,}\.)/);

  const tag = uuidv7().slice(-12);
  const out = run(PYTHON, [
    path.join(__dirname, 'python/users_smoke.py'),
    stubs,
    users.grpcAddress,
    tag,
  ]);
  const seen = JSON.parse(out) as {
    createdId: string;
    createdRole: string;
    tokenType: string;
    sessionUserId: string;
    me: { id: string; email: string; fullName: string };
    presence: boolean;
    counts: Record<string, number>;
    anonymousGetUser: string;
  };
  expect(seen.createdId).toMatch(/^[0-9a-f-]{36}$/);
  expect(seen).toEqual({
    createdId: seen.createdId,
    createdRole: 'ROLE_USER',
    tokenType: 'Bearer',
    sessionUserId: seen.createdId,
    me: { id: seen.createdId, email: `py-${tag}@example.com`, fullName: 'Python Smoke' },
    presence: true,
    // An `optional` false is sent and honoured; a plain bool false would mean "no filter".
    counts: { unfiltered: 1, active: 1, inactive: 0, guests: 0 },
    anonymousGetUser: 'UNAUTHENTICATED',
  });
}, 60_000);

it('stores what the Python client created as the TypeScript client reads it', async () => {
  const tag = uuidv7().slice(-12);
  const { createdId } = JSON.parse(
    run(PYTHON, [path.join(__dirname, 'python/users_smoke.py'), stubs, users.grpcAddress, tag]),
  ) as { createdId: string };
  const client = createUsersClient({
    address: users.grpcAddress,
    token: signTestToken({ role: 'admin', userId: uuidv7() }),
  });
  try {
    expect(await client.getUser({ id: createdId })).toMatchObject({
      id: createdId,
      username: `py-${tag}`,
      fullName: 'Python Smoke',
      isActive: true,
    });
  } finally {
    client.close();
  }
}, 60_000);
