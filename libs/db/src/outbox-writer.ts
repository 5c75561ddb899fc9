import type { EntityManager } from 'typeorm';
import { OutboxEvent } from './kit-tables.entity';
import {
  canPrepare,
  preparedStatement,
  runPrepared,
  type PreparedStatement,
} from './prepared-query';

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

/** The outbox INSERT of each schema (its table path), built once. */
const statements = new Map<string, PreparedStatement>();

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
  const metadata = dataSource.getMetadata(OutboxEvent);
  let statement = statements.get(metadata.tablePath);
  if (!statement) {
    const driver = dataSource.driver;
    const columns = COLUMNS.map((property) => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`outbox has no column for ${property}`);
      return driver.escape(column.databaseName);
    });
    const table = metadata.tablePath
      .split('.')
      .map((part) => driver.escape(part))
      .join('.');
    statement = preparedStatement(
      'nexus_outbox',
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    );
    statements.set(metadata.tablePath, statement);
  }
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
