import type { EntityManager } from 'typeorm';
import { activeTraceparent, startSpan, type OpenSpan } from '@nexus/ops';
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

const COLUMNS = ['eventId', 'topic', 'messageKey', 'type', 'source', 'time', 'payload'];
const TRACED_COLUMNS = [...COLUMNS, 'traceparent'];

/**
 * Inserts outbox rows. Every committed change writes one, so it is the
 * hottest statement of every write: it runs as a named prepared statement,
 * built once per schema from the entity's metadata (parsed and planned once
 * per connection) instead of a query TypeORM builds on every call. Where
 * SQL may not bypass TypeORM (subscribers, replication), it is an insert().
 *
 * Inside a traced call the insert is an `outbox write` span whose
 * `traceparent` the row keeps, for the relay's publish; with tracing off
 * (or no active span) the statement and its parameters are the untraced ones.
 */
export async function insertOutboxRow(manager: EntityManager, row: OutboxRow): Promise<void> {
  const span = outboxSpan(row.topic, 1);
  if (!span) return insertOne(manager, row, null);
  await traced(span, () => insertOne(manager, row, span.traceparent));
}

async function insertOne(
  manager: EntityManager,
  row: OutboxRow,
  traceparent: string | null,
): Promise<void> {
  const dataSource = manager.dataSource;
  if (!canPrepare(dataSource) || !manager.queryRunner) {
    await manager.insert(OutboxEvent, traceparent ? { ...row, traceparent } : row);
    return;
  }
  const values = [
    row.eventId,
    row.topic,
    row.messageKey,
    row.type,
    row.source,
    row.time,
    JSON.stringify(row.payload),
  ];
  if (traceparent) values.push(traceparent);
  const statement = tableStatement(
    dataSource,
    OutboxEvent,
    traceparent ? 'outbox_traced' : 'outbox',
    (table, column) => {
      const columns = (traceparent ? TRACED_COLUMNS : COLUMNS).map(column).join(', ');
      const params = values.map((_, index) => `$${index + 1}`).join(', ');
      return `INSERT INTO ${table} (${columns}) VALUES (${params})`;
    },
  );
  await runPrepared(dataSource, manager.queryRunner, statement, values);
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
  const span = outboxSpan(rows[0]?.topic ?? '', rows.length);
  if (!span) return insertMany(manager, rows, null);
  await traced(span, () => insertMany(manager, rows, span.traceparent));
}

async function insertMany(
  manager: EntityManager,
  rows: readonly OutboxRow[],
  traceparent: string | null,
): Promise<void> {
  if (!canPrepare(manager.dataSource) || !manager.queryRunner) {
    await manager.insert(
      OutboxEvent,
      rows.map((row) => (traceparent ? { ...row, traceparent } : row)),
    );
    return;
  }
  const statement = tableStatement(
    manager.dataSource,
    OutboxEvent,
    traceparent ? 'outbox_many_traced' : 'outbox_many',
    (table, column) => {
      const columns = (traceparent ? TRACED_COLUMNS : COLUMNS).map(column).join(', ');
      return `INSERT INTO ${table} (${columns})
      SELECT (r->>'eventId')::uuid, r->>'topic', r->>'messageKey', r->>'type', r->>'source',
             (r->>'time')::timestamptz, r->'payload'${traceparent ? ', $2::text' : ''}
        FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(r, n)
       ORDER BY n`;
    },
  );
  const values: unknown[] = [JSON.stringify(rows)];
  if (traceparent) values.push(traceparent);
  await runPrepared(manager.dataSource, manager.queryRunner, statement, values);
}

/** The span of an outbox insert, only inside a traced call (null otherwise, at no cost). */
function outboxSpan(topic: string, count: number): OpenSpan | null {
  if (activeTraceparent() === null) return null;
  return startSpan('outbox write', {
    attributes: { 'messaging.destination.name': topic, 'messaging.batch.message_count': count },
  });
}

async function traced(span: OpenSpan, work: () => Promise<void>): Promise<void> {
  try {
    await span.run(work);
    span.end();
  } catch (error) {
    span.end(error);
    throw error;
  }
}
