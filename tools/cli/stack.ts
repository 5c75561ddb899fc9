import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ROOT } from '../service-registry';
import { CliError } from './database';
import {
  clearStackState,
  isAlive as alive,
  readRunningStack,
  stackDataDir as dataDir,
  writeStackState,
  type StackState,
} from './stack-state';

const logFile = () => path.join(dataDir(), 'stack.log');

async function up(ports: {
  postgres: string;
  kafka: string;
  kafkaBrokers: string;
}): Promise<StackState> {
  const running = readRunningStack();
  if (running) return running;
  mkdirSync(dataDir(), { recursive: true });
  const out = path.join(dataDir(), 'stack.out');
  rmSync(out, { force: true });
  const stdout = openSync(out, 'w');
  const stderr = openSync(logFile(), 'a');
  // tsx as a loader, in this one process: tsx's CLI runs a child it SIGKILLs
  // when the child is slow to confirm a forwarded stop, which cut the stack's
  // stop short and left PostgreSQL and Kafka running.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'libs/stack/src/cli.ts',
      'up',
      '--data-dir',
      dataDir(),
      '--pg-port',
      ports.postgres,
      '--kafka-port',
      ports.kafka,
      '--kafka-brokers',
      ports.kafkaBrokers,
    ],
    { cwd: ROOT, detached: true, stdio: ['ignore', stdout, stderr] },
  );
  closeSync(stdout);
  closeSync(stderr);
  child.unref();
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const line = existsSync(out) ? readFileSync(out, 'utf8').split('\n')[0] : '';
    if (line) {
      const urls = JSON.parse(line) as { databaseUrl: string; kafkaBrokers: string };
      const state: StackState = { pid: child.pid!, startedBy: 'stack up', ...urls };
      writeStackState(dataDir(), state);
      return state;
    }
    if (child.exitCode !== null || !alive(child.pid!)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new CliError(`the local stack did not start; see ${logFile()}`);
}

async function down(): Promise<boolean> {
  const running = readRunningStack();
  if (!running) return false;
  if (running.startedBy === 'npm start')
    throw new CliError(
      `the local stack belongs to npm start (pid ${running.pid}); Ctrl-C there stops it with the services`,
    );
  process.kill(running.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(running.pid) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  clearStackState(dataDir(), running.pid);
  return true;
}

function describe(state: StackState): string {
  return [
    `running (pid ${state.pid}, started by ${state.startedBy})`,
    ...(state.databaseUrl ? [`  DATABASE_URL=${state.databaseUrl}`] : []),
    ...(state.kafkaBrokers ? [`  KAFKA_BROKERS=${state.kafkaBrokers}`] : []),
  ].join('\n');
}

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local PostgreSQL and Kafka that npm start uses (data in .nexus/)');
  stack
    .command('up')
    .description('start them in the background (data in NEXUS_DATA_DIR, default .nexus/)')
    .option('--pg-port <port>', 'PostgreSQL port', '5433')
    .option('--kafka-port <port>', "Kafka port (the first broker's)", '9092')
    .option(
      '--kafka-brokers <count>',
      'Kafka nodes, each broker and controller (3: as in production, docs/operations.md)',
      '1',
    )
    .action(async (options: { pgPort: string; kafkaPort: string; kafkaBrokers: string }) => {
      const stack = await up({
        postgres: options.pgPort,
        kafka: options.kafkaPort,
        kafkaBrokers: options.kafkaBrokers,
      });
      console.log(describe(stack));
    });
  stack
    .command('down')
    .description('stop them')
    .action(async () => console.log((await down()) ? 'stopped' : 'not running'));
  stack
    .command('status')
    .description('whether they run, and where')
    .action(() => {
      const state = readRunningStack();
      console.log(state ? describe(state) : 'not running');
    });
}
