import type { Logger } from '@nexus/ops';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` (first run after one interval). A tick that
 * comes while a run is still going is skipped, so runs never overlap or pile
 * up; a failed run is logged and the next one happens on schedule. Jobs must
 * be idempotent: every replica runs them.
 */
export function startPeriodicJob(options: {
  name: string;
  intervalMs: number;
  run: () => Promise<void>;
  logger: Logger;
}): Stoppable {
  let current: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    current = current.then(() =>
      options
        .run()
        .catch((error: unknown) =>
          options.logger.warn({ err: error, job: options.name }, 'job failed'),
        ),
    );
  }, options.intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
