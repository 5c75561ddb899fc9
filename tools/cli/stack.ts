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

const DATA_DIR = path.join(ROOT, '.nexus');
const STATE_FILE = path.join(DATA_DIR, 'stack.json');
const LOG_FILE = path.join(DATA_DIR, 'stack.log');

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
  if (!existsSync(STATE_FILE)) return null;
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as RunningStack;
  return alive(state.pid) ? state : null;
}

async function up(): Promise<RunningStack> {
  const running = runningStack();
  if (running) return running;
  mkdirSync(DATA_DIR, { recursive: true });
  const out = path.join(DATA_DIR, 'stack.out');
  rmSync(out, { force: true });
  const stdout = openSync(out, 'w');
  const stderr = openSync(LOG_FILE, 'a');
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'libs/stack/src/cli.ts',
      'up',
      '--pg-port',
      '5433',
      '--kafka-port',
      '9092',
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
      writeFileSync(STATE_FILE, JSON.stringify(state));
      return state;
    }
    if (child.exitCode !== null || !alive(child.pid!)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new CliError(`the local stack did not start; see ${LOG_FILE}`);
}

async function down(): Promise<boolean> {
  const running = runningStack();
  if (!running) return false;
  process.kill(running.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(running.pid) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  rmSync(STATE_FILE, { force: true });
  return true;
}

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local PostgreSQL and Kafka that npm start uses (data in .nexus/)');
  stack
    .command('up')
    .description('start them in the background (PostgreSQL 127.0.0.1:5433, Kafka 127.0.0.1:9092)')
    .action(async () => {
      const state = await up();
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
