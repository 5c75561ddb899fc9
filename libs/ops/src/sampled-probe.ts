/** How a scrape-time measurement may be reused and how long a scrape waits for it. */
export interface ProbeTiming {
  /** A value younger than this is served again instead of measuring anew. */
  maxAgeMs: number;
  /** A scrape waits this long at most; a slower measurement is reported as missing. */
  timeoutMs: number;
}

export const DEFAULT_PROBE_TIMING: ProbeTiming = { maxAgeMs: 5_000, timeoutMs: 2_000 };

/**
 * A measurement taken on scrape (a bounded database query, a few Kafka admin
 * requests) that can neither slow nor fail the scrape: concurrent scrapes and
 * scrapes within `maxAgeMs` share one measurement, at most one runs at a time
 * even after a timeout, and a failure or timeout reads as `undefined` so the
 * scrape serves every other metric.
 */
export class SampledProbe<T> {
  private last: { value: T; at: number } | null = null;
  private inFlight: { value: Promise<T>; failureReported: boolean } | null = null;

  constructor(
    private readonly measure: () => Promise<T>,
    private readonly timing: ProbeTiming,
    /** Called once per failed or timed-out measurement, however many scrapes waited on it. */
    private readonly onFailure: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async read(): Promise<T | undefined> {
    if (this.last && this.now() - this.last.at < this.timing.maxAgeMs) return this.last.value;
    const flight = (this.inFlight ??= { value: this.start(), failureReported: false });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timing.timeoutMs);
      timer.unref();
    });
    try {
      const value = await Promise.race([flight.value, timedOut]);
      if (value === undefined) this.reportOnce(flight, new Error('measurement timed out'));
      return value;
    } catch (error) {
      this.reportOnce(flight, error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private reportOnce(flight: { failureReported: boolean }, error: unknown): void {
    if (flight.failureReported) return;
    flight.failureReported = true;
    this.onFailure(error);
  }

  private async start(): Promise<T> {
    try {
      const value = await this.measure();
      this.last = { value, at: this.now() };
      return value;
    } finally {
      this.inFlight = null;
    }
  }
}
