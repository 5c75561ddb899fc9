import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { Kafka } from '@nexus/events';
import { groupLag, outboxBacklog } from './consumer-lag';
import { closedLoop, sleep, type LoadResult } from './load';
import type { SeededCall } from './rounds';
import type { Platform } from './services';

export interface SustainedFigures {
  seconds: number;
  /** Each write's rate while all ran at once. */
  writes: { name: string; load: LoadResult }[];
  /** Events per second all writes made together. */
  eventsPerSecond: number;
  /** The largest backlog seen while loading: unpublished outbox rows + the group's lag. */
  peakBacklog: number;
  /** Seconds from the last write's answer until every event was published and consumed; NaN: not within the limit. */
  drainSeconds: number;
  drainLimitSeconds: number;
}

const SCHEMAS = ['users', 'work', 'content', 'comms'];

/**
 * Every service's main write at once, each with `concurrency` closed-loop
 * callers, for `seconds`, with analytics consuming; then how long until the
 * analytics consumer group has caught up: every outbox empty (published) and
 * the group's committed offsets at the end of every platform topic.
 */
export async function measureSustainedLoad(options: {
  platform: Platform;
  writes: readonly SeededCall[];
  kafka: Kafka;
  groupId: string;
  databaseUrl: string;
  concurrency: number;
  seconds: number;
  tag: string;
  drainLimitSeconds: number;
  log: (line: string) => void;
}): Promise<SustainedFigures> {
  const { platform, kafka, groupId } = options;
  const admin = kafka.admin();
  await admin.connect();
  const db = new Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const backlog = async () =>
      (await outboxBacklog(db, SCHEMAS)) + (await groupLag(admin, groupId));
    // Analytics first reads what the rounds wrote: the load starts from no backlog.
    const catchUp = performance.now();
    while ((await backlog()) > 0) {
      if (performance.now() - catchUp > 600_000) throw new Error('analytics did not catch up');
      await sleep(500);
    }
    options.log(`  analytics caught up in ${((performance.now() - catchUp) / 1000).toFixed(0)} s`);
    let loading = true;
    let peakBacklog = 0;
    const watcher = (async () => {
      while (loading) {
        peakBacklog = Math.max(peakBacklog, await backlog());
        await sleep(1000);
      }
    })();
    const loads = await Promise.all(
      options.writes.map(({ run }) =>
        closedLoop({
          concurrency: options.concurrency,
          seconds: options.seconds,
          call: (w, n) => run.call(platform.clients, `${options.tag}l`, w, n),
        }),
      ),
    );
    const stopped = performance.now();
    loading = false;
    await watcher;
    let drainSeconds = Number.NaN;
    while ((performance.now() - stopped) / 1000 < options.drainLimitSeconds) {
      if ((await backlog()) === 0) {
        drainSeconds = (performance.now() - stopped) / 1000;
        break;
      }
      await sleep(50);
    }
    const writes = options.writes.map(({ scenario }, i) => ({
      name: scenario.name,
      load: loads[i],
    }));
    for (const { name, load } of writes) {
      const errors = load.errors > 0 ? `, ${load.errors} errors: ${load.firstError}` : '';
      options.log(`  ${name}: ${load.rate.toFixed(0)}/s${errors}`);
    }
    return {
      seconds: options.seconds,
      writes,
      eventsPerSecond: writes.reduce((sum, { load }) => sum + load.rate, 0),
      peakBacklog,
      drainSeconds,
      drainLimitSeconds: options.drainLimitSeconds,
    };
  } finally {
    await db.end();
    await admin.disconnect();
  }
}
