/**
 * npx tsx libs/stack/src/cli.ts up [--ephemeral] [--data-dir D] [--pg-port N] [--kafka-port N]
 *                                  [--kafka-brokers N]
 *                                  [--no-postgres] [--no-kafka] [--exit-with-parent]
 *
 * Prints one JSON line {"databaseUrl":...,"kafkaBrokers":...} on stdout once everything
 * accepts connections (stdout carries nothing else, so a parent can parse it), then runs
 * until SIGINT/SIGTERM, or until stdin closes with --exit-with-parent (the parent died).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalStack, type LocalStack } from './local-stack';
import { repoRoot } from './repo-root';

interface CliOptions {
  ephemeral: boolean;
  dataDir?: string;
  postgresPort?: number;
  kafkaPort?: number;
  kafkaBrokers?: number;
  withPostgres: boolean;
  withKafka: boolean;
  exitWithParent: boolean;
}

const USAGE =
  'usage: cli.ts up [--ephemeral] [--data-dir D] [--pg-port N] [--kafka-port N] [--kafka-brokers N] ' +
  '[--no-postgres] [--no-kafka] [--exit-with-parent]';

const say = (message: string): void => void process.stderr.write(`[stack] ${message}\n`);

function parseArgs(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command !== 'up') throw new Error(USAGE);
  const opts: CliOptions = {
    ephemeral: false,
    withPostgres: true,
    withKafka: true,
    exitWithParent: false,
  };
  const value = (flag: string): string => {
    const next = rest.shift();
    if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  const port = (flag: string): number => {
    const n = Number(value(flag));
    if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${flag} needs a port number`);
    return n;
  };
  const brokerCount = (flag: string): number => {
    const n = Number(value(flag));
    if (!Number.isInteger(n) || n < 1 || n > 9)
      throw new Error(`${flag} needs a count from 1 to 9`);
    return n;
  };
  for (let arg = rest.shift(); arg !== undefined; arg = rest.shift()) {
    if (arg === '--ephemeral') opts.ephemeral = true;
    else if (arg === '--data-dir') opts.dataDir = resolve(value(arg));
    else if (arg === '--pg-port') opts.postgresPort = port(arg);
    else if (arg === '--kafka-port') opts.kafkaPort = port(arg);
    else if (arg === '--kafka-brokers') opts.kafkaBrokers = brokerCount(arg);
    else if (arg === '--no-postgres') opts.withPostgres = false;
    else if (arg === '--no-kafka') opts.withKafka = false;
    else if (arg === '--exit-with-parent') opts.exitWithParent = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dataDir =
    opts.dataDir ??
    (opts.ephemeral ? mkdtempSync(join(tmpdir(), 'nexus-stack-')) : join(repoRoot(), '.nexus'));

  // A shutdown request may arrive while the services are still starting: remember it.
  const state: { shutdownRequested: boolean; stack?: LocalStack } = { shutdownRequested: false };
  const shutdown = (reason: string): void => {
    if (state.shutdownRequested) return;
    state.shutdownRequested = true;
    say(`${reason}: stopping`);
    if (state.stack) void stopAndExit(state.stack);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => shutdown(signal));
  }
  if (opts.exitWithParent) {
    process.stdin.on('end', () => shutdown('stdin closed'));
    process.stdin.on('close', () => shutdown('stdin closed'));
    process.stdin.resume();
  }

  say(`starting in ${dataDir}${opts.ephemeral ? ' (ephemeral)' : ''}`);
  const stack = await startLocalStack({ ...opts, dataDir, log: say });
  state.stack = stack;
  if (state.shutdownRequested) return stopAndExit(stack);
  const ready = {
    databaseUrl: stack.databaseUrl ?? null,
    kafkaBrokers: stack.kafkaBrokers ?? null,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

async function stopAndExit(stack: LocalStack): Promise<void> {
  try {
    await stack.stop();
    say('stopped');
    process.exit(0);
  } catch (err) {
    say(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  say(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
