/**
 * `nexus db roles`, the migrate step of docker-compose.yml and the Kubernetes Job:
 * the real bin against the run's database, as its owner.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { rolePasswords, serviceDatabaseUrl } from '@nexus/stack';

const BIN = path.resolve(__dirname, '../bin/nexus.js');
const ownerUrl = process.env.DATABASE_URL as string;

function nexus(env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'db', 'roles'], {
      env: { ...process.env, DATABASE_URL: ownerUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

/**
 * A role URL with the password npm start would give it: role passwords are
 * cluster-wide, and other runs on this server connect with those.
 */
function roleUrl(schema: string): string {
  const role = `nexus_${schema}`;
  return serviceDatabaseUrl(ownerUrl, schema, rolePasswords(ownerUrl, [role])[role]);
}

it('creates every role and sets the password each <SERVICE>_DATABASE_URL carries', async () => {
  const users = roleUrl('users');
  const result = await nexus({
    USERS_DATABASE_URL: users,
    AI_USAGE_DATABASE_URL: roleUrl('ai_usage'),
  });
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.out).toContain('users: role nexus_users on schema users (password set)');
  expect(result.out).toContain('ai-usage: role nexus_ai_usage on schema ai_usage (password set)');
  expect(result.out).toContain(
    'work: role nexus_work on schema work (password unchanged: no WORK_DATABASE_URL)',
  );

  const client = new Client({ connectionString: users });
  await client.connect();
  try {
    expect((await client.query('SELECT current_user AS role')).rows).toEqual([
      { role: 'nexus_users' },
    ]);
    const refused = await client
      .query('SELECT 1 FROM work.outbox')
      .catch((e: { code?: string }) => e);
    expect((refused as { code?: string }).code).toBe('42501');
  } finally {
    await client.end();
  }
});

it('refuses a service URL that connects as another role than the service', async () => {
  const result = await nexus({ USERS_DATABASE_URL: roleUrl('work') });
  expect(result.code).toBe(1);
  expect(result.err).toContain('USERS_DATABASE_URL must connect as nexus_users, not "nexus_work"');
});
