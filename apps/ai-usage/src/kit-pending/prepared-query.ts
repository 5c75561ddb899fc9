/**
 * KIT CODE PARKED IN THE APP, to move into libs/db (issue 15) as
 * `Tx.prepared(sql, values)` next to ByIdReader, which does the same for
 * reads by id.
 *
 * TypeORM's `manager.query` sends every statement unnamed, so Postgres
 * parses and plans it on every call. Recording an interaction is six
 * statements of fixed text (price lookup, request-id claim, interaction
 * INSERT, outbox INSERT, rollup upsert, budget lock); run as named prepared
 * statements they are parsed and planned once per connection. The bench
 * measured the Postgres CPU of one RecordInteraction at about three times
 * that of the same writes prepared (P).
 */
import { createHash } from 'node:crypto';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, type EntityManager } from 'typeorm';

interface PgClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}

const names = new Map<string, string>();

/** One name per statement text, so a connection prepares each text once. */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `nexus_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs `text` as a named prepared statement on the connection of the
 * manager's transaction and returns its rows; errors are TypeORM's
 * QueryFailedError, as from `manager.query`, so the kit classifies them the
 * same (a deadlock is retried, a lost connection is UNAVAILABLE). `text`
 * must be fixed (no values spliced in): each distinct text is a statement
 * kept by every connection. Outside a transaction it is `manager.query`.
 */
export async function preparedQuery<T>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) return manager.query<T[]>(text, values);
  if (runner.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const client = (await runner.connect()) as PgClient;
  const { logger } = manager.connection;
  logger.logQuery(text, values, runner);
  try {
    return (await client.query({ name: statementName(text), text, values })).rows as T[];
  } catch (error) {
    logger.logQueryError(error as Error, text, values, runner);
    throw new QueryFailedError(text, values, error as Error);
  }
}
