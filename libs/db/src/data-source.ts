import type { EventEmitter } from 'node:events';
import { DataSource, type MigrationInterface } from 'typeorm';
import { postgresConnection } from '@nexus/config';
import { KIT_ENTITIES } from './kit-tables.entity';
import { SnakeNamingStrategy } from './naming-strategy';

/**
 * An entity class. TypeORM builds entities itself with `new Entity()`, so an
 * entity must be constructible without arguments; TypeORM's own option type
 * (`Function`) would accept any function at all.
 */
export type EntityClass = new () => object;

/** A migration class: TypeORM runs each one as `new Migration()`. */
export type MigrationClass = new () => MigrationInterface;

export interface DataSourceOptions {
  /** DATABASE_URL; its sslmode is honoured as libpq would (postgresConnection). */
  url: string;
  /** The service's Postgres schema; its tables and migrations table live there. */
  schema: string;
  /** The service's own entities; the kit's tables are added here. */
  entities: EntityClass[];
  migrations: MigrationClass[];
  poolSize: number;
  maxOverflow: number;
  sqlEcho: boolean;
  applicationName: string;
}

/**
 * One DataSource per service schema: explicit entities, migrations only (never
 * synchronize), and a pg pool of `poolSize` connections kept warm with up to
 * `maxOverflow` more opened under load and closed again when idle.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  // node-postgres would read the URL's sslmode its own way on every connection.
  const { connectionString, ssl } = postgresConnection(options.url);
  return new DataSource({
    type: 'postgres',
    url: connectionString,
    ssl,
    schema: options.schema,
    entities: [...options.entities, ...KIT_ENTITIES],
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    // Failed queries surface as errors the caller handles (a unique violation is
    // ALREADY_EXISTS), so only SQL_ECHO logs SQL.
    logging: options.sqlEcho ? 'all' : false,
    applicationName: options.applicationName,
    extra: {
      max: options.poolSize + options.maxOverflow,
      min: options.poolSize,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
    },
  });
}

/**
 * Gives every connection of the pool, those it holds already (the one
 * `initialize` opened) and those it opens later, an 'error' listener of
 * its own. node-postgres emits 'error' on a connection the server ends
 * (a restart, a failover, pg_terminate_backend) while no query runs on it,
 * and the pool listens only while the connection is idle in it: one that is
 * checked out between two statements would otherwise take the process down
 * with an unhandled 'error' event. The next statement on it fails as the
 * database being unavailable, and the pool drops it on release.
 */
export function guardPoolConnections(
  dataSource: DataSource,
  onError: (error: Error) => void,
): void {
  const pool = (dataSource.driver as unknown as { master?: PoolEmitter }).master;
  if (!pool) return;
  const guarded = new WeakSet<EventEmitter>();
  const guard = (connection: EventEmitter) => {
    if (guarded.has(connection)) return;
    guarded.add(connection);
    connection.on('error', onError);
  };
  // pg-pool's list of every connection it holds, idle or checked out.
  for (const connection of pool._clients ?? []) guard(connection);
  pool.on('connect', guard);
}

type PoolEmitter = EventEmitter & { _clients?: EventEmitter[] };
