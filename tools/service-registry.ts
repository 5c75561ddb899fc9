import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { EntityClass, MigrationClass } from '@nexus/db';

export const ROOT = path.resolve(__dirname, '..');

/**
 * Bundled by `nx run tools:build` into dist/tools/nexus/main.js (the image's
 * CLI), the apps are the built outputs beside it (dist/apps/<app>/main.js) and
 * their database modules are inside the bundle: one copy of the @nexus/* libs,
 * so the kit's entity classes are the ones the CLI's DataSource knows. From
 * source (tsx), their TypeScript under apps/.
 */
const BUILT = __filename.endsWith('.js');
const APPS = BUILT ? path.resolve(__dirname, '..', '..', 'apps') : path.join(ROOT, 'apps');
const hasModule = (app: string, name: 'main' | 'database'): boolean =>
  BUILT
    ? existsSync(path.join(APPS, app, 'main.js'))
    : existsSync(path.join(APPS, app, 'src', `${name}.ts`));

/** Default ports of each service: the one registry, in @nexus/config. */
export { SERVICE_PORTS } from '@nexus/config';

/** Apps that run as a process: those with src/main.ts. */
export function listRunnableApps(): string[] {
  return readdirSync(APPS)
    .filter((name) => hasModule(name, 'main'))
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
  return readdirSync(APPS)
    .filter((name) => hasModule(name, 'database'))
    .sort();
}

export function loadServiceDatabase(service: string): ServiceDatabase {
  if (!listServices().includes(service)) {
    throw new Error(`unknown service "${service}" (services: ${listServices().join(', ')})`);
  }
  // A template literal, which esbuild bundles as every file it can match.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { database } = require(`../apps/${service}/src/database.ts`) as {
    database: Omit<ServiceDatabase, 'service' | 'migrationsDir'>;
  };
  return {
    ...database,
    service,
    migrationsDir: path.join(ROOT, 'apps', service, 'src', 'migrations'),
  };
}
