/**
 * Latency as a sparse histogram of logarithmic buckets, so percentiles can be
 * merged across rollup rows (a sum per bucket) instead of needing every raw
 * value. Bucket 0 holds [0, 1) ms; bucket k >= 1 holds [1.1^(k-1), 1.1^k) ms,
 * so a bucket is 10% wide and an interpolated percentile is within ~5% of
 * the exact one (and exact when a group's values are all equal, thanks to
 * clamping to the observed min and max).
 */
export const BUCKET_GROWTH = 1.1;
const LOG_GROWTH = Math.log(BUCKET_GROWTH);

export type Histogram = Map<number, number>;

export function bucketOf(latencyMs: number): number {
  if (latencyMs < 1) return 0;
  return 1 + Math.floor(Math.log(latencyMs) / LOG_GROWTH + 1e-9);
}

export function bucketBounds(bucket: number): [number, number] {
  if (bucket === 0) return [0, 1];
  return [BUCKET_GROWTH ** (bucket - 1), BUCKET_GROWTH ** bucket];
}

/** Adds `count` observations of `latencyMs`. */
export function observe(histogram: Histogram, latencyMs: number, count = 1): void {
  const bucket = bucketOf(latencyMs);
  histogram.set(bucket, (histogram.get(bucket) ?? 0) + count);
}

/** The histogram as the JSON stored in the rollup ({"bucket": count}). */
export function toJson(histogram: Histogram): Record<string, number> {
  return Object.fromEntries([...histogram].map(([bucket, count]) => [String(bucket), count]));
}

/**
 * The p-th percentile (0..1) as percentile_cont computes it: rank p × (n - 1)
 * between the two nearest order statistics, each estimated at its share of
 * its bucket, clamped to the observed range. Null for an empty histogram.
 */
export function percentile(
  histogram: Histogram,
  p: number,
  observed: { min: number; max: number },
): number | null {
  const buckets = [...histogram].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  /** The k-th smallest value (0-based), assuming values spread evenly in their bucket. */
  const orderStatistic = (k: number): number => {
    let before = 0;
    for (const [bucket, count] of buckets) {
      if (k < before + count) {
        const [low, high] = bucketBounds(bucket);
        const value = low + ((k - before + 0.5) / count) * (high - low);
        return Math.min(observed.max, Math.max(observed.min, value));
      }
      before += count;
    }
    return observed.max;
  };
  const rank = p * (total - 1);
  const lower = orderStatistic(Math.floor(rank));
  const upper = orderStatistic(Math.ceil(rank));
  return lower + (upper - lower) * (rank - Math.floor(rank));
}
