import { createDataSource, migrate } from '@nexus/db';
import type { DataSource, EntityManager } from 'typeorm';
import { database } from '../database';
import { READ_MODEL_TABLES } from '../read-models/read-model.writer';

/** The analytics schema in the database at `url`, migrated (a scratch database in tests). */
export async function openAnalyticsDatabase(url: string): Promise<DataSource> {
  const dataSource = createDataSource({
    url,
    ...database,
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'analytics-test',
  });
  await dataSource.initialize();
  await migrate(dataSource);
  return dataSource;
}

/** Every row of every read model, as JSON text in a fixed order: equal tables, equal snapshots. */
export async function readModelTables(
  manager: EntityManager | DataSource,
): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const table of READ_MODEL_TABLES) {
    const rows = await manager.query<{ row: string }[]>(
      `SELECT to_jsonb(t)::text AS row FROM analytics.${table} t ORDER BY 1`,
    );
    tables[table] = rows.map((r) => r.row);
  }
  return tables;
}
