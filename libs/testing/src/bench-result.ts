import { writeFile } from 'node:fs/promises';

/**
 * What a service's benchmark hands to `npm run bench`: rows of its results
 * table and a markdown section explaining them. Each bench script runs alone
 * too (`npx nx run <service>:bench`); when NEXUS_BENCH_RESULT names a file,
 * it also writes its result there as JSON, and the workspace report
 * (apps/bench) collects it.
 */
export interface BenchRow {
  /** e.g. `UpdateTask / H`. */
  measurement: string;
  /** The measured figure as shown, e.g. `1,234 calls/s` (median of rounds). */
  figure: string;
  /** The reference measured in the same run, e.g. `H = 3,000/s`. */
  reference: string;
  /** figure ÷ reference, or the figure itself for an absolute target (ms, events/s). */
  value: number;
  /** The lowest and highest value over the rounds, when there were rounds. */
  spread?: { min: number; max: number; rounds: number };
  bound: number;
  sense: '>=' | '<=';
}

export interface BenchResult {
  rows: BenchRow[];
  /** Markdown: how it was measured, the parts, and where the time goes when a target is missed. */
  markdown: string;
}

export function rowMet(row: Pick<BenchRow, 'value' | 'bound' | 'sense'>): boolean {
  if (!Number.isFinite(row.value)) return false;
  return row.sense === '>=' ? row.value >= row.bound : row.value <= row.bound;
}

/** The median of the rounds and their spread (at least one round). */
export function medianOfRounds(values: readonly number[]): {
  median: number;
  min: number;
  max: number;
  rounds: number;
} {
  if (values.length === 0) throw new Error('no rounds measured');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], rounds: sorted.length };
}

/** Writes the result where NEXUS_BENCH_RESULT says (nothing when it is unset). */
export async function writeBenchResult(result: BenchResult): Promise<void> {
  const file = process.env.NEXUS_BENCH_RESULT;
  if (file) await writeFile(file, JSON.stringify(result, null, 2));
}
