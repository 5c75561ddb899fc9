import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { startAppProcess, type AppProcess } from '@nexus/testing';

const BIN = path.resolve(__dirname, '../bin/nexus.js');
const ADMIN = {
  NEXUS_ADMIN_EMAIL: 'seed-admin@example.com',
  NEXUS_ADMIN_PASSWORD: 'seed-admin-password',
};

/** The platform's gRPC services as processes, wired to each other. */
let apps: Record<string, AppProcess>;

beforeAll(async () => {
  const users = await startAppProcess('users', ADMIN);
  const withUsers = { USERS_GRPC_ADDRESS: users.grpcAddress };
  const [content, work, aiUsage] = await Promise.all([
    startAppProcess('content', withUsers),
    startAppProcess('work', withUsers),
    startAppProcess('ai-usage', withUsers),
  ]);
  const comms = await startAppProcess('comms', {
    ...withUsers,
    CONTENT_GRPC_ADDRESS: content.grpcAddress,
  });
  apps = { users, content, comms, work, aiUsage };
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(apps ?? {}).map((app) => app.stop()));
});

function seed(
  seedValue: number,
  progress = '--no-progress',
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'db',
        'seed',
        '--users',
        '3',
        '--documents',
        '4',
        '--emails',
        '3',
        '--messages',
        '5',
        '--projects',
        '2',
        '--tasks',
        '4',
        '--interactions',
        '6',
        '--seed',
        String(seedValue),
        ...(progress ? [progress] : []),
      ],
      {
        env: {
          ...process.env,
          ...ADMIN,
          USERS_GRPC_ADDRESS: apps.users.grpcAddress,
          CONTENT_GRPC_ADDRESS: apps.content.grpcAddress,
          COMMS_GRPC_ADDRESS: apps.comms.grpcAddress,
          WORK_GRPC_ADDRESS: apps.work.grpcAddress,
          AI_USAGE_GRPC_ADDRESS: apps.aiUsage.grpcAddress,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

async function counts(seedValue: number): Promise<Record<string, number>> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const owned = `(SELECT id FROM users.users WHERE email LIKE 'sample-${seedValue}-%')`;
    const queries: Record<string, string> = {
      users: `SELECT count(*) FROM users.users WHERE id IN ${owned}`,
      documents: `SELECT count(*) FROM content.documents WHERE owner_id IN ${owned}`,
      projects: `SELECT count(*) FROM work.projects WHERE owner_id IN ${owned}`,
      interactions: `SELECT count(*) FROM ai_usage.ai_interactions WHERE user_id IN ${owned}`,
    };
    const result: Record<string, number> = {};
    for (const [kind, query] of Object.entries(queries)) {
      result[kind] = Number((await client.query<{ count: string }>(query)).rows[0]?.count);
    }
    return result;
  } finally {
    await client.end();
  }
}

/** The seed's interactions without a price, and those that cost nothing. */
async function unpricedInteractions(seedValue: number): Promise<Record<string, number>> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ unpriced: string; costless: string }>(
      `SELECT count(*) FILTER (WHERE unpriced) AS unpriced,
              count(*) FILTER (WHERE coalesce(computed_cost, 0) = 0) AS costless
         FROM ai_usage.ai_interactions
        WHERE user_id IN (SELECT id FROM users.users WHERE email LIKE 'sample-${seedValue}-%')`,
    );
    return { unpriced: Number(rows[0]?.unpriced), costless: Number(rows[0]?.costless) };
  } finally {
    await client.end();
  }
}

describe('nexus db seed', () => {
  it('creates sample data through every service, and a rerun of the same seed adds nothing', async () => {
    const first = await seed(7);
    expect(first.err).toBe('');
    expect(first.out).toContain(
      'seeded: 3 users, 4 documents, 3 emails, 5 messages, 2 projects, 4 tasks, 6 interactions',
    );
    expect(await counts(7)).toEqual({ users: 3, documents: 4, projects: 2, interactions: 6 });
    // Every sample model is in ai-usage's default price list.
    expect(await unpricedInteractions(7)).toEqual({ unpriced: 0, costless: 0 });

    // With progress, through a pipe: plain lines with the real totals.
    const again = await seed(7, '');
    expect(again.code).toBe(0);
    expect(again.err.split('\n').map((line) => line.replace(/ done in .*/, ''))).toEqual([
      'seed: users        3/3',
      'seed: documents    4/4',
      'seed: emails       3/3',
      'seed: messages     5/5',
      'seed: projects     2/2',
      'seed: tasks        4/4',
      'seed: interactions 6/6',
      '',
    ]);
    expect(await counts(7)).toEqual({ users: 3, documents: 4, projects: 2, interactions: 6 });
  }, 180_000);

  it('says which service it cannot reach', async () => {
    await apps.users.stop();
    const result = await seed(8);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `cannot sign in as ${ADMIN.NEXUS_ADMIN_EMAIL} at ${apps.users.grpcAddress}`,
    );
  }, 60_000);
});
