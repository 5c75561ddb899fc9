import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '../../..');

interface StackHandle {
  child: ChildProcess;
}

declare global {
  var __nexusStack: StackHandle | undefined;
  var __nexusTestDatabase: { adminUrl: string; name: string } | undefined;
}

/**
 * Jest global setup: real PostgreSQL and Kafka for the run. Uses
 * DATABASE_URL / KAFKA_BROKERS when set, otherwise starts them (once per
 * run) with the local stack. Each run gets a database of its own, so runs
 * and their data never meet. Workers inherit the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  const needPostgres = !process.env.DATABASE_URL;
  const needKafka = !process.env.KAFKA_BROKERS;
  if (needPostgres || needKafka) {
    const started = await startStack(needPostgres, needKafka);
    process.env.DATABASE_URL ??= started.databaseUrl;
    process.env.KAFKA_BROKERS ??= started.kafkaBrokers;
  }
  const adminUrl = process.env.DATABASE_URL as string;
  const name = `nexus_test_${Date.now()}_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  globalThis.__nexusTestDatabase = { adminUrl, name };
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();

  if (!process.env.JWT_PRIVATE_KEY || !process.env.JWT_PUBLIC_KEY) {
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    process.env.JWT_PRIVATE_KEY = keys.privateKey;
    process.env.JWT_PUBLIC_KEY = keys.publicKey;
  }
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL ??= 'silent';
}

async function startStack(
  withPostgres: boolean,
  withKafka: boolean,
): Promise<{ databaseUrl?: string; kafkaBrokers?: string }> {
  const args = [
    path.join(ROOT, 'libs/stack/src/cli.ts'),
    'up',
    '--ephemeral',
    '--exit-with-parent',
  ];
  if (!withPostgres) args.push('--no-postgres');
  if (!withKafka) args.push('--no-kafka');
  // tsx's CLI run by node directly: its exit then means the stack has stopped.
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), ...args],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  globalThis.__nexusStack = { child };
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the local stack exited with code ${code} before it was ready`)),
    );
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as { databaseUrl?: string; kafkaBrokers?: string });
      } catch {
        reject(new Error(`unexpected output from the local stack: ${line}`));
      }
    });
  });
}
