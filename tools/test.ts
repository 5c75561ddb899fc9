/**
 * `npm test`: every project's tests against real PostgreSQL and Kafka. Uses
 * DATABASE_URL / KAFKA_BROKERS when set; otherwise starts one throwaway
 * local stack for the whole run (each project's Jest setup would otherwise
 * start its own). Extra arguments go to `nx run-many`, e.g. `npm test -- -p users`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
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
  const summaryFile = path.join(
    mkdtempSync(path.join(tmpdir(), 'nexus-test-summary-')),
    'results.jsonl',
  );
  env.NEXUS_TEST_SUMMARY = summaryFile;
  try {
    const nx = path.join(ROOT, 'node_modules/.bin/nx');
    const args = ['run-many', '-t', 'test', '--outputStyle=stream', ...process.argv.slice(2)];
    const code = await new Promise<number>((resolve) => {
      const child = spawn(nx, args, { cwd: ROOT, env, stdio: 'inherit' });
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    printSummary(summaryFile);
    return code;
  } finally {
    await stack?.stop();
  }
}

/** One closing line for the whole workspace, summed over every project's Jest run. */
function printSummary(file: string): void {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  for (const line of lines) {
    const run = JSON.parse(line) as typeof totals;
    totals.passed += run.passed;
    totals.failed += run.failed;
    totals.skipped += run.skipped;
  }
  process.stdout.write(
    `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
