import { createLogger } from '@nexus/ops';
import { startPeriodicJob } from './periodic-job';

const logger = createLogger({ service: 'job-test', level: 'silent' });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startPeriodicJob', () => {
  it('runs on every interval, never two runs at once, and keeps going after a failure', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const job = startPeriodicJob({
      name: 'test',
      intervalMs: 10,
      logger,
      run: async () => {
        running += 1;
        overlapped ||= running > 1;
        runs += 1;
        await tick(25); // longer than the interval
        running -= 1;
        if (runs === 1) throw new Error('first run fails');
      },
    });
    await tick(200);
    await job.stop();
    const afterStop = runs;
    await tick(50);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(overlapped).toBe(false);
    expect(runs).toBe(afterStop);
  });
});
