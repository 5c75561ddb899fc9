import type { EntityManager } from 'typeorm';
import { OutboxEvent } from './kit-tables.entity';
import { canPrepare, runPrepared, tableStatement } from './prepared-query';

/** One outbox row: an event recorded in the transaction of the change it describes. */
export interface OutboxRow {
  eventId: string;
  topic: string;
  messageKey: string;
  type: string;
  source: string;
  time: Date;
  /** The event's data: the resource before and after, the changed fields, the actor. */
  payload: object;
}

const COLUMNS = ['eventId', 'topic', 'messageKey', 'type', 'source', 'time', 'payload'] as const;

/**
 * Inserts outbox rows. Every committed change writes one, so it is the
 * hottest statement of every write: it runs as a named prepared statement,
 * built once per schema from the entity's metadata (parsed and planned once
 * per connection) instead of a query TypeORM builds on every call. Where
 * SQL may not bypass TypeORM (subscribers, replication), it is an insert().
 */
export async function insertOutboxRow(manager: EntityManager, row: OutboxRow): Promise<void> {
  const dataSource = manager.dataSource;
  if (!canPrepare(dataSource) || !manager.queryRunner) {
    await manager.insert(OutboxEvent, row);
    return;
  }
  const statement = tableStatement(dataSource, OutboxEvent, 'outbox', (table, column) => {
    const columns = COLUMNS.map(column).join(', ');
    return `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
  });
  await runPrepared(dataSource, manager.queryRunner, statement, [
    row.eventId,
    row.topic,
    row.messageKey,
    row.type,
    row.source,
    row.time,
    JSON.stringify(row.payload),
  ]);
}

/**
 * Inserts many outbox rows with one statement of fixed text, whatever their
 * number: the rows travel as one JSON parameter and keep their order (the
 * relay publishes in id order). The outbox trigger fires once per
 * statement, so the relay is woken once.
 */
export async function insertOutboxRows(
  manager: EntityManager,
  rows: readonly OutboxRow[],
): Promise<void> {
  if (rows.length === 1) return insertOutboxRow(manager, rows[0]);
  if (!canPrepare(manager.dataSource) || !manager.queryRunner) {
    await manager.insert(OutboxEvent, [...rows]);
    return;
  }
  const statement = tableStatement(
    manager.dataSource,
    OutboxEvent,
    'outbox_many',
    (table, column) => {
      const columns = COLUMNS.map(column).join(', ');
      return `INSERT INTO ${table} (${columns})
      SELECT (r->>'eventId')::uuid, r->>'topic', r->>'messageKey', r->>'type', r->>'source',
             (r->>'time')::timestamptz, r->'payload'
        FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(r, n)
       ORDER BY n`;
    },
  );
  await runPrepared(manager.dataSource, manager.queryRunner, statement, [JSON.stringify(rows)]);
}
