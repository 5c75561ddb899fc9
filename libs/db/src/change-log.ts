/**
 * Reads of the change log (ChangeLogEntry): what live streams replay from.
 * The relay writes it; positions are gapless in publish order, so "after a
 * cursor" is one index range scan.
 */

/** Anything that runs SQL: a DataSource, an EntityManager, a pg client. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface ChangeLogRow {
  position: number;
  eventId: string;
  topic: string;
  messageKey: string;
  type: string;
  source: string;
  time: Date;
  payload: unknown;
}

interface RawRow {
  position: string;
  event_id: string;
  topic: string;
  message_key: string;
  type: string;
  source: string;
  time: Date;
  payload: unknown;
}

/** The entries after `after` up to `upTo` (both positions), oldest first, at most `limit`. */
export async function readChangeLog(
  db: Queryable,
  schema: string,
  after: number,
  upTo: number,
  limit: number,
): Promise<ChangeLogRow[]> {
  const rows = (await db.query(
    `SELECT position, event_id, topic, message_key, type, source, time, payload
       FROM "${schema}"."change_log" WHERE position > $1 AND position <= $2
      ORDER BY position LIMIT $3`,
    [after, upTo, limit],
  )) as RawRow[];
  return rows.map((row) => ({
    position: Number(row.position),
    eventId: row.event_id,
    topic: row.topic,
    messageKey: row.message_key,
    type: row.type,
    source: row.source,
    time: row.time,
    payload: row.payload,
  }));
}

/**
 * The oldest and newest positions kept: a stream can resume from any cursor
 * at or after `oldest - 1`. Both 0 when nothing was ever published.
 */
export async function changeLogBounds(
  db: Queryable,
  schema: string,
): Promise<{ oldest: number; newest: number }> {
  const rows = (await db.query(
    `SELECT coalesce(min(position), 0) AS oldest, coalesce(max(position), 0) AS newest
       FROM "${schema}"."change_log"`,
  )) as { oldest: string; newest: string }[];
  return { oldest: Number(rows[0].oldest), newest: Number(rows[0].newest) };
}
