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
