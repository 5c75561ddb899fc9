import 'reflect-metadata';
import {
  createDataSource,
  migrate,
  migrationState,
  pendingSchemaChanges,
  revert,
  withScratchDatabase,
  type EntityClass,
  type MigrationClass,
} from '@nexus/db';
import { requireEnv } from './event-collector';

export interface SchemaDefinition {
  schema: string;
  entities: EntityClass[];
  migrations: MigrationClass[];
}

export interface MigrationRoundTrip {
  /** SQL the entities still need after every migration ran: empty when they agree. */
  driftAfterUp: string[];
  /**
   * Tables left in the schema after reverting every migration: only
   * `migrations` (TypeORM's bookkeeping `typeorm_metadata`, which it creates
   * itself for entities with generated columns, is not counted).
   */
  tablesAfterRevert: string[];
  driftAfterReapply: string[];
}

/**
 * Applies every migration of a schema to an empty database, compares the
 * result with the entities, reverts them all, and applies them again. CI
 * runs this for every service, so entities and migrations cannot disagree
 * and every migration is reversible.
 */
export async function migrationRoundTrip(
  definition: SchemaDefinition,
): Promise<MigrationRoundTrip> {
  return withScratchDatabase(requireEnv('DATABASE_URL'), 'nexus_migrations', async (url) => {
    const dataSource = createDataSource({
      url,
      ...definition,
      poolSize: 2,
      maxOverflow: 0,
      sqlEcho: false,
      applicationName: 'nexus-migration-check',
    });
    await dataSource.initialize();
    try {
      await migrate(dataSource);
      const driftAfterUp = await pendingSchemaChanges(dataSource);
      await revert(dataSource, (await migrationState(dataSource)).applied.length);
      const tables = await dataSource.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = $1 AND table_name <> 'typeorm_metadata' ORDER BY table_name`,
        [definition.schema],
      );
      await migrate(dataSource);
      return {
        driftAfterUp,
        tablesAfterRevert: tables.map((table) => table.table_name),
        driftAfterReapply: await pendingSchemaChanges(dataSource),
      };
    } finally {
      await dataSource.destroy();
    }
  });
}
