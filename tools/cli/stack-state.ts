import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../service-registry';

/**
 * The local stack's state file, `<data dir>/stack.json`: who runs the stack
 * (`nexus stack up` in the background, or `npm start` itself), its pid, and
 * where PostgreSQL and Kafka listen. The CLI's database commands read it when
 * DATABASE_URL is unset, and npm start reuses a `stack up` stack through it.
 */
export interface StackState {
  pid: number;
  startedBy: 'stack up' | 'npm start';
  /** Unset when that process did not start PostgreSQL (DATABASE_URL pointed elsewhere). */
  databaseUrl?: string;
  /** Unset when that process did not start Kafka. */
  kafkaBrokers?: string;
}

/** Where the local stack keeps its data and state: .nexus/ unless NEXUS_DATA_DIR says otherwise. */
export function stackDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NEXUS_DATA_DIR || path.join(ROOT, '.nexus');
}

const stateFile = (dataDir: string) => path.join(dataDir, 'stack.json');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stack recorded in `dataDir`, if the process that runs it is still alive. */
export function readRunningStack(dataDir: string = stackDataDir()): StackState | null {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return null;
  let state: Partial<StackState>;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackState>;
  } catch {
    return null; // half-written or damaged: as good as absent
  }
  if (typeof state.pid !== 'number' || !isAlive(state.pid)) return null;
  // Files written before startedBy existed came from `nexus stack up`.
  return { ...state, pid: state.pid, startedBy: state.startedBy ?? 'stack up' };
}

/** Records a running stack; the file holds the owner's URL, so only its user may read it. */
export function writeStackState(dataDir: string, state: StackState): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(stateFile(dataDir), JSON.stringify(state), { mode: 0o600 });
}

/** Removes the state file if it still describes the stack of `pid` (not one started since). */
export function clearStackState(dataDir: string, pid: number): void {
  const file = stateFile(dataDir);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as Partial<StackState>).pid !== pid) return;
  } catch {
    // missing or damaged: removing it is right either way
  }
  rmSync(file, { force: true });
}
