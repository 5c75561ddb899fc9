/**
 * `npm test`: every project's tests against real PostgreSQL and Kafka. Uses
 * DATABASE_URL / KAFKA_BROKERS when set; otherwise starts one throwaway
 * local stack for the whole run (each project's Jest setup would otherwise
 * start its own). Extra arguments go to `nx run-many`, e.g. `npm test -- -p users`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { ROOT } from './service-registry';

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  let stack: LocalStack | undefined;
  if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(tmpdir(), 'nexus-test-stack-')),
      ephemeral: true,
      withPostgres: !env.DATABASE_URL,
      withKafka: !env.KAFKA_BROKERS,
      log: (message) => process.stderr.write(`[stack] ${message}\n`),
    });
    env.DATABASE_URL ??= stack.databaseUrl;
    env.KAFKA_BROKERS ??= stack.kafkaBrokers;
  }
  try {
    const nx = path.join(ROOT, 'node_modules/nx/bin/nx.js');
    const args = ['run-many', '-t', 'test', '--outputStyle=stream', ...process.argv.slice(2)];
    return await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [nx, ...args], { cwd: ROOT, env, stdio: 'inherit' });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await stack?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
