/** Plain statistics for the benchmark figures: percentiles, rates and ratios. */
import { percentile } from '@nexus/testing';

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Operations per second. */
export function rate(operations: number, seconds: number): number {
  return seconds > 0 ? operations / seconds : 0;
}

/**
 * The throughput of two stages in series, each doing the whole work once
 * per operation: 1 / (1/a + 1/b). It is the physical limit H of a call that
 * has to cross the transport (a) and do its database work (b).
 */
export function seriesLimit(a: number, b: number): number {
  if (a <= 0 || b <= 0) return 0;
  return 1 / (1 / a + 1 / b);
}

export interface Target {
  /** e.g. `Get / H`. */
  name: string;
  value: number;
  /** The value must be at least this (`>=`) or at most it (`<=`). */
  bound: number;
  sense: '>=' | '<=';
}

export function targetMet(target: Target): boolean {
  if (!Number.isFinite(target.value)) return false;
  return target.sense === '>=' ? target.value >= target.bound : target.value <= target.bound;
}

/** A number with a sensible precision for a table: 12,345 / 123.4 / 1.23. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
