import { performance } from 'node:perf_hooks';

export interface LoopResult {
  /** Work units (calls, or interactions for batches) finished inside the window. */
  units: number;
  seconds: number;
  rate: number;
  errors: number;
  firstError?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A closed loop: `concurrency` callers each start the next call as soon as
 * the previous one returned, so the figure is the sustained throughput at
 * that concurrency. A warm-up (a fifth of the window, at least one second)
 * runs first; only calls that finish inside the measured window count, each
 * as `unitsPerCall` units. `onWindow` runs as the window opens and closes.
 */
export async function closedLoop(options: {
  concurrency: number;
  seconds: number;
  unitsPerCall?: number;
  call: (worker: number) => Promise<void>;
  onWindow?: (phase: 'open' | 'close') => void;
}): Promise<LoopResult> {
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let units = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (index: number): Promise<void> => {
    while (phase !== 'done') {
      try {
        await options.call(index);
        // Completions inside the window, whenever they started: in a steady
        // state this is the throughput, without an edge bias for long calls.
        if (phase === 'measure') units += options.unitsPerCall ?? 1;
      } catch (error) {
        if (phase === 'measure') errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
        await sleep(5);
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, i) => worker(i));
  await sleep(Math.max(1, options.seconds / 5) * 1000);
  phase = 'measure';
  options.onWindow?.('open');
  const started = performance.now();
  await sleep(options.seconds * 1000);
  const seconds = (performance.now() - started) / 1000;
  options.onWindow?.('close');
  phase = 'done';
  await Promise.all(workers);
  return { units, seconds, rate: units / seconds, errors, firstError };
}
