import type { DataSource } from 'typeorm';
import type { SearchLanguage } from '@nexus/config';
import { applySearchLanguage } from './search-schema';

export interface MigrationState {
  applied: { name: string; timestamp: number }[];
  pending: string[];
}

/**
 * Runs `work` holding a session advisory lock on the schema's migrations, so
 * replicas starting together apply each migration once, one after the other.
 * Holds one pooled connection while the migrations use another.
 */
async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const schema = schemaOf(dataSource);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`nexus.migrations.${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    return await work();
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`nexus.migrations.${schema}`]);
    await runner.release();
  }
}

export interface MigrateOptions {
  /**
   * The deployment's SEARCH_LANGUAGE: once the migrations ran, the schema's
   * search is switched to it if it is not already (applySearchLanguage).
   */
  searchLanguage?: SearchLanguage;
}

/** Applies every pending migration; returns their names. */
export async function migrate(
  dataSource: DataSource,
  options: MigrateOptions = {},
): Promise<string[]> {
  return withMigrationLock(dataSource, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (options.searchLanguage)
      await applySearchLanguage(dataSource, schemaOf(dataSource), options.searchLanguage);
    return applied.map((migration) => migration.name);
  });
}

/** Reverts the last `steps` migrations; returns how many were reverted. */
export async function revert(dataSource: DataSource, steps = 1): Promise<number> {
  return withMigrationLock(dataSource, async () => {
    let reverted = 0;
    while (reverted < steps && (await migrationState(dataSource)).applied.length > 0) {
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted += 1;
    }
    return reverted;
  });
}

export async function migrationState(dataSource: DataSource): Promise<MigrationState> {
  const schema = schemaOf(dataSource);
  const exists = await dataSource.query<unknown[]>(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'migrations'`,
    [schema],
  );
  const applied = exists.length
    ? await dataSource.query<{ name: string; timestamp: string }[]>(
        `SELECT name, "timestamp" FROM "${schema}"."migrations" ORDER BY "timestamp", id`,
      )
    : [];
  const appliedNames = new Set(applied.map((row) => row.name));
  return {
    applied: applied.map((row) => ({ name: row.name, timestamp: Number(row.timestamp) })),
    pending: dataSource.migrations
      .map((m) => m.name ?? m.constructor.name)
      .filter((name) => !appliedNames.has(name)),
  };
}

/**
 * The SQL that would bring the database in line with the entities. Empty when
 * entities and migrations agree; CI fails on anything else.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((query) => query.query);
}

function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('the data source has no schema');
  return schema;
}
