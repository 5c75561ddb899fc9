import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ROOT } from '../service-registry';
import { CliError } from './database';

/** Where the stack keeps its data and state: .nexus/ unless NEXUS_DATA_DIR says otherwise. */
function dataDir(): string {
  return process.env.NEXUS_DATA_DIR ?? path.join(ROOT, '.nexus');
}
const stateFile = () => path.join(dataDir(), 'stack.json');
const logFile = () => path.join(dataDir(), 'stack.log');

export interface RunningStack {
  pid: number;
  databaseUrl: string;
  kafkaBrokers: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The stack `nexus stack up` started, if it is still running (npm start reuses it). */
export function runningStack(): RunningStack | null {
  if (!existsSync(stateFile())) return null;
  const state = JSON.parse(readFileSync(stateFile(), 'utf8')) as RunningStack;
  return alive(state.pid) ? state : null;
}

async function up(ports: { postgres: string; kafka: string }): Promise<RunningStack> {
  const running = runningStack();
  if (running) return running;
  mkdirSync(dataDir(), { recursive: true });
  const out = path.join(dataDir(), 'stack.out');
  rmSync(out, { force: true });
  const stdout = openSync(out, 'w');
  const stderr = openSync(logFile(), 'a');
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'libs/stack/src/cli.ts',
      'up',
      '--data-dir',
      dataDir(),
      '--pg-port',
      ports.postgres,
      '--kafka-port',
      ports.kafka,
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
      const state = { pid: child.pid!, ...urls };
      writeFileSync(stateFile(), JSON.stringify(state));
      return state;
    }
    if (child.exitCode !== null || !alive(child.pid!)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new CliError(`the local stack did not start; see ${logFile()}`);
}

async function down(): Promise<boolean> {
  const running = runningStack();
  if (!running) return false;
  process.kill(running.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(running.pid) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  rmSync(stateFile(), { force: true });
  return true;
}

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local PostgreSQL and Kafka that npm start uses (data in .nexus/)');
  stack
    .command('up')
    .description('start them in the background (data in NEXUS_DATA_DIR, default .nexus/)')
    .option('--pg-port <port>', 'PostgreSQL port', '5433')
    .option('--kafka-port <port>', 'Kafka port', '9092')
    .action(async (options: { pgPort: string; kafkaPort: string }) => {
      const state = await up({ postgres: options.pgPort, kafka: options.kafkaPort });
      console.log(
        `running (pid ${state.pid})\n  DATABASE_URL=${state.databaseUrl}\n  KAFKA_BROKERS=${state.kafkaBrokers}`,
      );
    });
  stack
    .command('down')
    .description('stop them')
    .action(async () => console.log((await down()) ? 'stopped' : 'not running'));
  stack
    .command('status')
    .description('whether they run, and where')
    .action(() => {
      const state = runningStack();
      console.log(
        state
          ? `running (pid ${state.pid})\n  DATABASE_URL=${state.databaseUrl}\n  KAFKA_BROKERS=${state.kafkaBrokers}`
          : 'not running',
      );
    });
}
