import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveDatabaseUrl } from './database';
import { clearStackState, readRunningStack, writeStackState } from './stack-state';

const LOCAL_URL = 'postgres://postgres:password@127.0.0.1:5433/nexus';
let dataDir: string;

/** The pid of a process that has exited (and was reaped), so it is not alive. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'nexus-stack-state-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the CLI database URL', () => {
  it('is DATABASE_URL when set, whatever stack runs', () => {
    writeStackState(dataDir, { pid: process.pid, startedBy: 'npm start', databaseUrl: LOCAL_URL });
    const env = { DATABASE_URL: 'postgres://me@db.example:5432/x', NEXUS_DATA_DIR: dataDir };
    expect(resolveDatabaseUrl(env)).toEqual({ url: env.DATABASE_URL, from: 'DATABASE_URL' });
  });

  it("is the running npm start stack's PostgreSQL when DATABASE_URL is unset", () => {
    writeStackState(dataDir, {
      pid: process.pid,
      startedBy: 'npm start',
      databaseUrl: LOCAL_URL,
      kafkaBrokers: '127.0.0.1:9092',
    });
    expect(resolveDatabaseUrl({ NEXUS_DATA_DIR: dataDir })).toEqual({
      url: LOCAL_URL,
      from: `the local stack of npm start (pid ${process.pid})`,
    });
    expect(resolveDatabaseUrl({ DATABASE_URL: '', NEXUS_DATA_DIR: dataDir }).url).toBe(LOCAL_URL);
  });

  it('reads a state file written before startedBy existed as a `stack up` stack', () => {
    writeFileSync(
      path.join(dataDir, 'stack.json'),
      JSON.stringify({ pid: process.pid, databaseUrl: LOCAL_URL, kafkaBrokers: 'k:1' }),
    );
    expect(resolveDatabaseUrl({ NEXUS_DATA_DIR: dataDir }).from).toBe(
      `the local stack of stack up (pid ${process.pid})`,
    );
  });

  it('says how to start a stack or set DATABASE_URL when none runs', () => {
    writeStackState(dataDir, { pid: deadPid(), startedBy: 'npm start', databaseUrl: LOCAL_URL });
    expect(() => resolveDatabaseUrl({ NEXUS_DATA_DIR: dataDir })).toThrow(
      /DATABASE_URL is not set and no local stack is running.*`npm start`.*`npx nexus stack up`.*set DATABASE_URL/,
    );
  });

  it('does not take a stack that runs only Kafka (DATABASE_URL was given to it)', () => {
    writeStackState(dataDir, { pid: process.pid, startedBy: 'npm start', kafkaBrokers: 'k:1' });
    expect(() => resolveDatabaseUrl({ NEXUS_DATA_DIR: dataDir })).toThrow(
      /DATABASE_URL is not set/,
    );
  });
});

describe('the stack state file', () => {
  it('is ignored when damaged', () => {
    writeFileSync(path.join(dataDir, 'stack.json'), '{"pid": 1');
    expect(readRunningStack(dataDir)).toBeNull();
  });

  it('is removed only by the process it describes', () => {
    writeStackState(dataDir, { pid: process.pid, startedBy: 'npm start', databaseUrl: LOCAL_URL });
    clearStackState(dataDir, process.pid + 1);
    expect(readRunningStack(dataDir)?.pid).toBe(process.pid);
    clearStackState(dataDir, process.pid);
    expect(readRunningStack(dataDir)).toBeNull();
  });
});
