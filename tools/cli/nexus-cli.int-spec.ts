import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { uuidv7 } from '@nexus/core';
import { loadServiceDatabase } from '../service-registry';

const BIN = path.resolve(__dirname, '../bin/nexus.js');
/** The users schema's newest migration, whatever it is today. */
const LATEST_USERS_MIGRATION = loadServiceDatabase('users').migrations.at(-1)!.name;
const name = `nexus_cli_${Date.now()}`;
let url: string;
let admin: Client;

/** Runs the real `nexus` bin against the test database. */
function nexus(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

async function sql<T = Record<string, unknown>>(
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const userCount = async () =>
  Number((await sql<{ n: string }>('SELECT count(*) AS n FROM users.users'))[0]?.n);

async function insertUser(): Promise<void> {
  const tag = uuidv7().slice(-12);
  await sql(
    `INSERT INTO users.users (id, version, email, username, password_hash) VALUES ($1, 1, $2, $3, 'x')`,
    [uuidv7(), `${tag}@example.com`, `u-${tag}`],
  );
}

beforeAll(async () => {
  admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const parsed = new URL(process.env.DATABASE_URL!);
  parsed.pathname = `/${name}`;
  url = parsed.toString();
});

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe('nexus db', () => {
  it('migrates every schema, reports status, and verifies clean', async () => {
    expect((await nexus(['db', 'migrate'])).code).toBe(0);
    const status = await nexus(['db', 'status', 'users']);
    expect(status.out).toContain(`current: ${LATEST_USERS_MIGRATION}`);
    expect(status.out).not.toContain('pending:');
    const verify = await nexus(['db', 'verify', 'users']);
    expect(verify.code).toBe(0);
    expect(verify.out).toContain('all schemas verified');
  }, 120_000);

  it('reverts a service migration by migration and fails verify while migrations are pending', async () => {
    expect((await nexus(['db', 'revert', 'users', '--steps', '1'])).out).toContain('reverted 1');
    const verify = await nexus(['db', 'verify', 'users']);
    expect(verify.code).toBe(1);
    expect(verify.out).toContain(`pending migrations: ${LATEST_USERS_MIGRATION}`);
    expect((await nexus(['db', 'migrate', 'users'])).out).toContain(
      `applied ${LATEST_USERS_MIGRATION}`,
    );
  }, 120_000);

  it('restores a backup after a reset with identical row counts', async () => {
    await insertUser();
    await insertUser();
    const before = await userCount();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'nexus-backup-')), 'nexus.dump');
    expect(await nexus(['db', 'backup', file])).toMatchObject({ code: 0 });
    expect((await nexus(['db', 'reset', '--yes'])).code).toBe(0);
    expect(await userCount()).toBe(0);
    const refused = await nexus(['db', 'restore', file]);
    expect(refused.err).toContain('already exist');
    expect((await nexus(['db', 'restore', file, '--clean', '--yes'])).code).toBe(0);
    expect(await userCount()).toBe(before);
  }, 120_000);

  it('refuses a dump made by a newer schema', async () => {
    await sql(
      `INSERT INTO users.migrations ("timestamp", name) VALUES (1999999999999, 'FromTheFuture1999999999999')`,
    );
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'nexus-backup-')), 'future.dump');
    expect((await nexus(['db', 'backup', file, '--service', 'users'])).code).toBe(0);
    await sql(`DELETE FROM users.migrations WHERE name = 'FromTheFuture1999999999999'`);
    const restore = await nexus(['db', 'restore', file, '--clean', '--yes']);
    expect(restore.code).toBe(1);
    expect(restore.err).toContain('newer schema');
    expect(await userCount()).toBeGreaterThan(0); // nothing was dropped
  }, 120_000);

  it('refuses reset in production and without confirmation', async () => {
    const production = await nexus(['db', 'reset', '--yes'], { NODE_ENV: 'production' });
    expect(production).toMatchObject({ code: 1 });
    expect(production.err).toContain('refused when NODE_ENV=production');
    const unconfirmed = await nexus(['db', 'reset']);
    expect(unconfirmed.err).toContain('not confirmed');
    expect(await userCount()).toBeGreaterThan(0);
  }, 60_000);

  it('names the problem for an unknown service, an unreachable database and wrong credentials', async () => {
    expect((await nexus(['db', 'migrate', 'nope'])).err).toContain('unknown service "nope"');
    expect(
      (await nexus(['db', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' })).err,
    ).toContain('cannot reach PostgreSQL at 127.0.0.1:1');
    const wrong = new URL(url);
    wrong.username = 'nobody_here';
    wrong.password = 'wrong';
    const denied = await nexus(['db', 'status'], { DATABASE_URL: wrong.toString() });
    expect(denied.err).toMatch(/refused the credentials|nobody_here/);
  }, 60_000);
});

describe('nexus without DATABASE_URL', () => {
  /** A data dir whose state file says npm start (here: process `pid`) runs the stack. */
  function npmStartStack(pid: number): string {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'nexus-cli-stack-'));
    const state = { pid, startedBy: 'npm start', databaseUrl: url, kafkaBrokers: '127.0.0.1:1' };
    writeFileSync(path.join(dataDir, 'stack.json'), JSON.stringify(state));
    return dataDir;
  }

  it('works on the stack npm start runs, and says so', async () => {
    const dataDir = npmStartStack(process.pid);
    const status = await nexus(['db', 'status', 'users'], {
      DATABASE_URL: '',
      NEXUS_DATA_DIR: dataDir,
    });
    expect(status.code).toBe(0);
    expect(status.out).toContain(`current: ${LATEST_USERS_MIGRATION}`);
    expect(status.err).toBe(
      `nexus: DATABASE_URL is not set; using the local stack of npm start (pid ${process.pid})\n`,
    );
  }, 60_000);

  it('tells how to start a stack when none runs', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'nexus-cli-stack-'));
    const status = await nexus(['db', 'status'], { DATABASE_URL: '', NEXUS_DATA_DIR: empty });
    expect(status.code).toBe(1);
    expect(status.err).toContain('no local stack is running');
    expect(status.err).toContain('`npm start`');
    expect(status.err).not.toContain('password');
  }, 60_000);

  it("leaves npm start's stack to npm start on `stack down`", async () => {
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      const down = await nexus(['stack', 'down'], { NEXUS_DATA_DIR: npmStartStack(owner.pid!) });
      expect(down.code).toBe(1);
      expect(down.err).toContain(`belongs to npm start (pid ${owner.pid})`);
      expect(owner.exitCode).toBeNull();
      expect(owner.signalCode).toBeNull();
    } finally {
      owner.kill();
    }
  }, 60_000);
});
