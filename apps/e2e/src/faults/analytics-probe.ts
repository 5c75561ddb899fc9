import type { PlatformEvent } from '@nexus/events';
import { query } from './db-probes';
import { waitUntil } from './ops-probes';

/** What the analytics consumer made of the platform's events. */
export interface ConsumerFigures {
  /** Messages on the platform topics, duplicates included. */
  delivered: number;
  /** Distinct event ids among them. */
  distinct: number;
  /** Events the consumer applied (its processed_events rows). */
  applied: number;
  /** Events its events_daily read model counts. */
  counted: number;
}

/** Events the analytics consumer (group `group`) has applied so far. */
export async function analyticsApplied(databaseUrl: string, group: string): Promise<number> {
  const [row] = await query<{ n: number }>(
    databaseUrl,
    'SELECT count(*)::int AS n FROM analytics.processed_events WHERE consumer = $1',
    [group],
  );
  return row.n;
}

/**
 * Waits until the analytics consumer (a real process, consumer group
 * `group`) has applied as many events as there are distinct ids on Kafka:
 * with duplicates on the topics, an equal count means each was applied once.
 */
export async function analyticsFigures(
  databaseUrl: string,
  group: string,
  events: readonly PlatformEvent[],
  timeoutMs = 60_000,
): Promise<ConsumerFigures> {
  const distinct = new Set(events.map((event) => event.id)).size;
  const applied = (): Promise<number> => analyticsApplied(databaseUrl, group);
  // Applied can only catch up with the distinct count; it must then stay there.
  await waitUntil(
    'analytics applied every event',
    async () => (await applied()) >= distinct,
    timeoutMs,
    250,
  ).catch(() => undefined);
  const appliedNow = await applied();
  const [counted] = await query<{ n: number }>(
    databaseUrl,
    'SELECT coalesce(sum(events), 0)::int AS n FROM analytics.events_daily',
  );
  return { delivered: events.length, distinct, applied: appliedNow, counted: counted.n };
}
