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
