import { performance } from 'node:perf_hooks';
import type { CpuMeter, CpuShares } from './cpu-meter';
import { rate } from './stats';

export interface LoadOptions {
  concurrency: number;
  /** Measured seconds; a warm-up of a fifth of it (at least one second) comes first. */
  seconds: number;
  /** One operation; `worker` is 0..concurrency-1, `n` counts that worker's calls. */
  call: (worker: number, n: number) => Promise<void>;
  /** Runs as the measured window opens and closes (e.g. CPU snapshots). */
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
  /** Splits the machine's CPU time over the measured window between the parties. */
  meter?: CpuMeter;
}

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  /** Successful calls per second. */
  rate: number;
  latenciesMs: number[];
  firstError?: string;
  /** CPU time of each party over the window, when a meter was given. */
  cpu?: CpuShares;
}

/**
 * A closed loop: `concurrency` callers each issue the next call as soon as
 * the previous one returned, so the figure is the sustained throughput at
 * that concurrency. Only calls that finish inside the window count.
 */
export async function closedLoop(options: LoadOptions): Promise<LoadResult> {
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latenciesMs: number[] = [];

  const worker = async (index: number): Promise<void> => {
    for (let n = 0; phase !== 'done'; n += 1) {
      const started = performance.now();
      const inWindow = phase === 'measure';
      try {
        await options.call(index, n);
        if (inWindow && phase === 'measure') {
          calls += 1;
          latenciesMs.push(performance.now() - started);
        }
      } catch (error) {
        if (phase === 'measure') errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        // A failing call returns at once; do not spin on it.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };

  const workers = Array.from({ length: options.concurrency }, (_, i) => worker(i));
  await sleep(Math.max(1, options.seconds / 5) * 1000);
  phase = 'measure';
  options.onMeasureStart?.();
  options.meter?.begin();
  const started = performance.now();
  await sleep(options.seconds * 1000);
  const seconds = (performance.now() - started) / 1000;
  const cpu = options.meter?.end();
  options.onMeasureEnd?.();
  phase = 'done';
  await Promise.all(workers);
  return { calls, errors, seconds, rate: rate(calls, seconds), latenciesMs, firstError, cpu };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
