/**
 * npm start's stack is found by the CLI: bringUpStack (startLocalPlatform's
 * first step) records the PostgreSQL it starts in the data dir while it runs,
 * and removes the record when it stops. Kafka is the run's, so only the
 * embedded PostgreSQL starts here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '@nexus/stack';
import { bringUpStack } from '../local-platform';
import { resolveDatabaseUrl } from './database';
import { readRunningStack } from './stack-state';

const dataDir = mkdtempSync(path.join(tmpdir(), 'nexus-npm-start-stack-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('records the stack npm start runs for the CLI, and forgets it when stopped', async () => {
  const env: NodeJS.ProcessEnv = { KAFKA_BROKERS: process.env.KAFKA_BROKERS };
  const port = await freePort();
  const stack = await bringUpStack(env, {
    env,
    dataDir,
    stackPorts: { postgres: port, kafka: 1 },
    log: () => undefined,
    output: () => undefined,
  });
  try {
    expect(env.DATABASE_URL).toContain(`:${port}/`);
    expect(readRunningStack(dataDir)).toEqual({
      pid: process.pid,
      startedBy: 'npm start',
      databaseUrl: env.DATABASE_URL,
    });
    const { url } = resolveDatabaseUrl({ NEXUS_DATA_DIR: dataDir });
    const client = new Client({ connectionString: url });
    await client.connect();
    expect((await client.query<{ port: string }>('SHOW port')).rows[0]?.port).toBe(String(port));
    await client.end();
  } finally {
    await stack?.stop();
  }
  expect(readRunningStack(dataDir)).toBeNull();
  expect(() => resolveDatabaseUrl({ NEXUS_DATA_DIR: dataDir })).toThrow(/no local stack/);
}, 120_000);
