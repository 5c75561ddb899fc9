import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { EntityClass, MigrationClass } from '@nexus/db';

export const ROOT = path.resolve(__dirname, '..');

/** Default ports of each service: the one registry, in @nexus/config. */
export { SERVICE_PORTS } from '@nexus/config';

/** Apps that run as a process: those with src/main.ts. */
export function listRunnableApps(): string[] {
  const apps = path.join(ROOT, 'apps');
  return readdirSync(apps)
    .filter((name) => existsSync(path.join(apps, name, 'src', 'main.ts')))
    .sort();
}

export interface ServiceDatabase {
  service: string;
  schema: string;
  entities: EntityClass[];
  migrations: MigrationClass[];
  migrationsDir: string;
}

/**
 * The services of this workspace, found by convention rather than imported:
 * every app with `src/database.ts` owns a schema. Tools load them at run time
 * so that no app is a compile-time dependency of another project.
 */
export function listServices(): string[] {
  const apps = path.join(ROOT, 'apps');
  return readdirSync(apps)
    .filter((name) => existsSync(path.join(apps, name, 'src', 'database.ts')))
    .sort();
}

export function loadServiceDatabase(service: string): ServiceDatabase {
  const file = path.join(ROOT, 'apps', service, 'src', 'database.ts');
  if (!existsSync(file)) {
    throw new Error(`unknown service "${service}" (services: ${listServices().join(', ')})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { database } = require(file) as {
    database: Omit<ServiceDatabase, 'service' | 'migrationsDir'>;
  };
  return {
    ...database,
    service,
    migrationsDir: path.join(ROOT, 'apps', service, 'src', 'migrations'),
  };
}
