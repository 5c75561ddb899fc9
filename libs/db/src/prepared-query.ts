import { createHash } from 'node:crypto';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  type DataSource,
  type EntityManager,
  type EntityMetadata,
  type EntityTarget,
  type ObjectLiteral,
  type QueryRunner,
} from 'typeorm';

/** A statement the server parses and plans once per connection, then runs by name. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/** The pg client and pool surface used here (pg's own types are not a dependency of this lib). */
interface PgClient {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: Record<string, unknown>[] }>;
}
interface PgPool {
  connect(): Promise<PgClient & { release(): void }>;
}

/** A name for `text` that is the same in every process, so connections share nothing by accident. */
export function preparedStatement(prefix: string, text: string): PreparedStatement {
  return { name: `${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}

/**
 * Whether SQL may be sent past TypeORM here: PostgreSQL without replication
 * (a read replica would change which connection answers) and no subscribers
 * (they expect to see every insert, update and load).
 */
export function canPrepare(dataSource: DataSource): boolean {
  return (
    dataSource.options.type === 'postgres' &&
    !dataSource.options.replication &&
    dataSource.subscribers.length === 0
  );
}

/**
 * Runs a named prepared statement as PostgresQueryRunner.query runs a query:
 * on the transaction's connection, or on one from the pool; logged through
 * the data source's logger, a failure thrown as QueryFailedError.
 */
export async function runPrepared(
  dataSource: DataSource,
  runner: QueryRunner | undefined,
  statement: PreparedStatement,
  values: unknown[],
): Promise<Record<string, unknown>[]> {
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const pooled = runner
    ? undefined
    : await (dataSource.driver as unknown as { master: PgPool }).master.connect();
  try {
    const client = pooled ?? ((await runner?.connect()) as PgClient);
    const { logger } = dataSource;
    logger.logQuery(statement.text, values, runner);
    try {
      return (await client.query({ name: statement.name, text: statement.text, values })).rows;
    } catch (error) {
      logger.logQueryError(error as Error, statement.text, values, runner);
      throw new QueryFailedError(statement.text, values, error as Error);
    }
  } finally {
    pooled?.release();
  }
}

/** The escaped, schema-qualified name of an entity's table. */
export function escapedTable(dataSource: DataSource, metadata: EntityMetadata): string {
  return metadata.tablePath
    .split('.')
    .map((part) => dataSource.driver.escape(part))
    .join('.');
}

const tableStatements = new Map<string, PreparedStatement>();

/**
 * A statement of fixed text on one entity's table, built once per table by
 * `build` from the escaped table name and column names (by property).
 */
export function tableStatement(
  dataSource: DataSource,
  target: EntityTarget<ObjectLiteral>,
  purpose: string,
  build: (table: string, column: (property: string) => string) => string,
): PreparedStatement {
  const metadata = dataSource.getMetadata(target);
  const key = `${purpose}:${metadata.tablePath}`;
  let statement = tableStatements.get(key);
  if (!statement) {
    const column = (property: string): string => {
      const found = metadata.findColumnWithPropertyName(property);
      if (!found) throw new Error(`${metadata.name} has no column for ${property}`);
      return dataSource.driver.escape(found.databaseName);
    };
    statement = preparedStatement(
      `nexus_${purpose}`,
      build(escapedTable(dataSource, metadata), column),
    );
    tableStatements.set(key, statement);
  }
  return statement;
}

const textStatements = new Map<string, PreparedStatement>();

/**
 * A service's own SQL of fixed text (values only as parameters, never spliced
 * in: every distinct text is a statement each connection keeps) as a named
 * prepared statement: on the manager's transaction, or on a pooled
 * connection outside one. Errors are TypeORM's QueryFailedError, as from
 * `manager.query`, so the kit classifies them alike. Where SQL may not
 * bypass TypeORM, TypeORM's query runner sends it, with the same rows.
 */
export async function queryPrepared<T extends object = Record<string, unknown>>(
  manager: EntityManager,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const { dataSource } = manager;
  if (!canPrepare(dataSource)) {
    // Rows for every statement, as the prepared path answers (manager.query
    // would answer an UPDATE or DELETE with [rows, count]).
    const runner = manager.queryRunner ?? dataSource.createQueryRunner();
    try {
      return (await runner.query(text, values, true)).records as T[];
    } finally {
      if (!manager.queryRunner) await runner.release();
    }
  }
  let statement = textStatements.get(text);
  if (!statement) {
    statement = preparedStatement('nexus_sql', text);
    textStatements.set(text, statement);
  }
  return (await runPrepared(dataSource, manager.queryRunner, statement, values)) as T[];
}
