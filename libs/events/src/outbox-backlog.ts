import type { DataSource } from 'typeorm';

/** Rows counted one by one; past this the count is estimated from the id range. */
export const EXACT_BACKLOG_LIMIT = 10_000;

export interface OutboxBacklogSample {
  /** Rows waiting to be published. */
  pending: number;
  /** Age of the oldest waiting row's event, 0 when the outbox is empty. */
  oldestAgeSeconds: number;
}

/**
 * What a schema's outbox holds that the relay has not published, at a cost
 * that does not grow with the backlog: a count that stops at
 * EXACT_BACKLOG_LIMIT rows, then max(id) - min(id) + 1 (two primary-key
 * lookups; it counts ids taken by rolled-back writes too, an overestimate
 * only a large backlog sees), and the oldest row by id.
 */
export async function measureOutboxBacklog(
  dataSource: DataSource,
  schema: string,
  now: Date = new Date(),
): Promise<OutboxBacklogSample> {
  const table = `"${schema}"."outbox"`;
  const [row] = await dataSource.query<
    { counted: number; span: string | null; oldest: Date | null }[]
  >(
    `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT $1) AS capped)::int AS counted,
            (SELECT max(id) - min(id) + 1 FROM ${table}) AS span,
            (SELECT time FROM ${table} ORDER BY id LIMIT 1) AS oldest`,
    [EXACT_BACKLOG_LIMIT],
  );
  const pending =
    row.counted < EXACT_BACKLOG_LIMIT ? row.counted : Math.max(row.counted, Number(row.span));
  const oldestAgeSeconds = row.oldest
    ? Math.max(0, (now.getTime() - row.oldest.getTime()) / 1000)
    : 0;
  return { pending, oldestAgeSeconds };
}
