import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { withScratchDatabase } from '@nexus/db';
import type { BenchResult, BenchRow } from '@nexus/testing';

const ROOT = path.resolve(__dirname, '../../..');

/** A service's own benchmark script, run as a child process. */
export interface ServiceBench {
  /** e.g. `ai-usage`. */
  name: string;
  script: string;
  /** What its rows measure, for the "not measured" row when it hands back nothing. */
  measures: string[];
  env: Record<string, string>;
}

export interface ServiceBenchResult {
  name: string;
  rows: BenchRow[];
  markdown: string;
  /** Why there is no result (the script failed, or wrote no NEXUS_BENCH_RESULT). */
  problem?: string;
  seconds: number;
}

/**
 * Runs a service's bench script on a scratch database of `serverUrl`'s
 * server and the run's broker, and reads the BenchResult it writes to
 * NEXUS_BENCH_RESULT. A script that fails or writes nothing yields its
 * measurements as rows without a figure (NaN: not met), never a guess.
 */
export async function runServiceBench(
  bench: ServiceBench,
  serverUrl: string,
  brokers: string,
  log: (line: string) => void,
): Promise<ServiceBenchResult> {
  const started = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), `nexus-bench-${bench.name}-`));
  const resultFile = path.join(dir, 'result.json');
  try {
    const exit = await withScratchDatabase(
      serverUrl,
      `nexus_bench_${bench.name.replace(/\W/g, '_')}`,
      (url) =>
        runScript(
          bench,
          {
            ...bench.env,
            DATABASE_URL: url,
            KAFKA_BROKERS: brokers,
            NEXUS_BENCH_RESULT: resultFile,
          },
          log,
        ),
    );
    return await readServiceBenchResult(bench, resultFile, exit, (Date.now() - started) / 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What a finished bench script handed back in `file`, or its measurements as not measured. */
export async function readServiceBenchResult(
  bench: ServiceBench,
  file: string,
  exit: number,
  seconds: number,
): Promise<ServiceBenchResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    const why =
      exit === 0
        ? 'it ran but wrote no result (NEXUS_BENCH_RESULT)'
        : `it exited with code ${exit}`;
    return notMeasured(bench, why, seconds);
  }
  let result: Partial<BenchResult>;
  try {
    result = JSON.parse(text) as Partial<BenchResult>;
  } catch {
    return notMeasured(bench, 'its result file is not JSON', seconds);
  }
  if (!Array.isArray(result.rows) || typeof result.markdown !== 'string') {
    return notMeasured(bench, 'its result file is not a BenchResult', seconds);
  }
  const problem = exit === 0 ? undefined : `it exited with code ${exit} after writing its result`;
  return { name: bench.name, rows: result.rows, markdown: result.markdown, problem, seconds };
}

function notMeasured(bench: ServiceBench, why: string, seconds: number): ServiceBenchResult {
  return {
    name: bench.name,
    rows: bench.measures.map((measurement) => ({
      measurement,
      figure: 'not measured',
      reference: `${bench.script}: ${why}`,
      value: Number.NaN,
      bound: Number.NaN,
      sense: '>=',
    })),
    markdown: '',
    problem: why,
    seconds,
  };
}

function runScript(
  bench: ServiceBench,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', bench.script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (line: string) => log(`  ${bench.name}: ${line}`);
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      lines.filter((line) => line.trim()).forEach(prefix);
    });
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
