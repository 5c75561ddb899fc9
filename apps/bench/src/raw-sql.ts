import { Client } from 'pg';

/** One named prepared statement: parsed and planned once per connection, then only bound. */
export interface Statement {
  name: string;
  text: string;
  /** Or a function of the columns the statements before returned (a sequence number). */
  values: unknown[] | ((previous: Record<string, unknown>) => unknown[]);
  /** The rows it must affect or return (a lost seed row must fail the call, not speed it up). */
  rows?: number;
}

/**
 * The database half of the physical limit H: one connection per caller,
 * named prepared statements and nothing else, so P is what PostgreSQL and
 * the `pg` protocol cost for a call's SQL, without TypeORM or the kit.
 */
export class RawSql {
  private constructor(private readonly clients: Client[]) {}

  static async connect(databaseUrl: string, connections: number): Promise<RawSql> {
    const clients = await Promise.all(
      Array.from({ length: connections }, async () => {
        const client = new Client({ connectionString: databaseUrl, application_name: 'bench-raw' });
        await client.connect();
        return client;
      }),
    );
    return new RawSql(clients);
  }

  /** Runs `statements` in order on `worker`'s connection. */
  async run(worker: number, statements: readonly Statement[]): Promise<void> {
    const client = this.clients[worker % this.clients.length];
    let previous: Record<string, unknown> = {};
    for (const statement of statements) previous = await execute(client, statement, previous);
  }

  /** BEGIN, `statements`, COMMIT on `worker`'s connection; ROLLBACK when one fails. */
  async transaction(worker: number, statements: readonly Statement[]): Promise<void> {
    const client = this.clients[worker % this.clients.length];
    await client.query('BEGIN');
    try {
      let previous: Record<string, unknown> = {};
      for (const statement of statements) previous = await execute(client, statement, previous);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.end()));
  }
}

async function execute(
  client: Client,
  statement: Statement,
  previous: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { values } = statement;
  const { rowCount, rows } = await client.query<Record<string, unknown>>({
    name: statement.name,
    text: statement.text,
    values: typeof values === 'function' ? values(previous) : values,
  });
  if (statement.rows !== undefined && rowCount !== statement.rows) {
    throw new Error(`${statement.name}: ${rowCount} rows where ${statement.rows} were expected`);
  }
  return { ...previous, ...rows[0] };
}

/**
 * An outbox row as the kit writes it (tx.emit): the event's columns and its
 * payload `{before, after, changed, actor}` with the resource in its JSON
 * form, so the row is the size of the service's.
 */
export function outboxRow(
  schema: string,
  aggregate: { topic: string; type: string; source: string; key: string },
  payload: { before: unknown; after: unknown; actor: string | null },
  eventId: string,
): Statement {
  const changed =
    payload.before === null
      ? Object.keys(payload.after as object).sort()
      : Object.keys(payload.after as object).filter(
          (k) =>
            JSON.stringify((payload.before as Record<string, unknown>)[k]) !==
            JSON.stringify((payload.after as Record<string, unknown>)[k]),
        );
  return {
    name: `bench-outbox-${schema}`,
    text: `INSERT INTO "${schema}"."outbox" (event_id, topic, message_key, type, source, time, payload)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    values: [
      eventId,
      aggregate.topic,
      aggregate.key,
      aggregate.type,
      aggregate.source,
      new Date(),
      JSON.stringify({ ...payload, changed }),
    ],
    rows: 1,
  };
}
