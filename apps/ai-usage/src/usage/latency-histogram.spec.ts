import { bucketBounds, bucketOf, observe, percentile, type Histogram } from './latency-histogram';

/** percentile_cont over raw values, as Postgres computes it. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

describe('latency histogram', () => {
  it('puts every latency inside the bounds of its bucket', () => {
    for (const latency of [0, 0.5, 1, 1.09, 1.1, 7, 100, 999, 1000, 12_345, 600_000]) {
      const [low, high] = bucketBounds(bucketOf(latency));
      expect(latency).toBeGreaterThanOrEqual(low - 1e-9);
      expect(latency).toBeLessThan(high + 1e-9);
    }
  });

  it('estimates percentiles within 5% of percentile_cont on a spread of latencies', () => {
    const values = Array.from({ length: 2000 }, (_, i) => 50 + ((i * 7919) % 4000));
    const histogram: Histogram = new Map();
    values.forEach((value) => observe(histogram, value));
    const observed = { min: Math.min(...values), max: Math.max(...values) };
    for (const p of [0.5, 0.95, 0.99]) {
      const estimate = percentile(histogram, p, observed)!;
      expect(
        Math.abs(estimate - exactPercentile(values, p)) / exactPercentile(values, p),
      ).toBeLessThan(0.05);
    }
  });

  it('is exact when every latency is the same and empty when nothing was observed', () => {
    const histogram: Histogram = new Map();
    observe(histogram, 420, 10);
    expect(percentile(histogram, 0.99, { min: 420, max: 420 })).toBe(420);
    expect(percentile(new Map(), 0.5, { min: 0, max: 0 })).toBeNull();
  });
});
