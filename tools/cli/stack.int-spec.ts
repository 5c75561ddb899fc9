import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePorts } from '@nexus/stack';

const BIN = path.resolve(__dirname, '../bin/nexus.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'nexus-stack-cli-'));

function nexus(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NEXUS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(err || `exit ${code}`)),
    );
  });
}

afterAll(async () => {
  await nexus(['stack', 'down']).catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('nexus stack', () => {
  it('starts the local stack in the background, reports it, and stops it', async () => {
    const [pgPort, kafkaPort] = await freePorts(2);
    const started = await nexus([
      'stack',
      'up',
      '--pg-port',
      String(pgPort),
      '--kafka-port',
      String(kafkaPort),
    ]);
    expect(started).toContain(`KAFKA_BROKERS=127.0.0.1:${kafkaPort}`);
    const url = /DATABASE_URL=(\S+)/.exec(started)?.[1];
    expect(url).toContain(`:${pgPort}/`);

    expect(await nexus(['stack', 'status'])).toContain('running (pid');
    const client = new Client({ connectionString: url });
    await client.connect();
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    await client.end();

    expect(await nexus(['stack', 'down'])).toContain('stopped');
    expect(await nexus(['stack', 'status'])).toContain('not running');
  }, 180_000);
});
