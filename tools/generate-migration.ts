import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import 'reflect-metadata';
import { migrate, withScratchDatabase } from '@nexus/db';
import { withServiceDatabase } from './cli/database';
import { loadServiceDatabase, type ServiceDatabase } from './service-registry';

interface Query {
  query: string;
  parameters?: unknown[];
}

/**
 * Writes the migration that brings a service's schema from its current
 * migrations to its entities, computed by TypeORM's schema builder on a
 * scratch database. Refuses when nothing changed.
 */
export async function generateMigration(
  service: string,
  name: string,
  databaseUrl: string,
): Promise<string> {
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new Error('the name must be kebab-case, e.g. add-user-avatar');
  const database = loadServiceDatabase(service);
  const { up, down } = await withScratchDatabase(databaseUrl, 'nexus_generate', (url) =>
    withServiceDatabase(
      database,
      async (dataSource): Promise<{ up: Query[]; down: Query[] }> => {
        await migrate(dataSource);
        const sql = await dataSource.driver.createSchemaBuilder().log();
        return { up: sql.upQueries, down: [...sql.downQueries].reverse() };
      },
      url,
    ),
  );
  if (up.length === 0)
    throw new Error(`${service}: entities and migrations already agree; nothing to generate`);

  const timestamp = Date.now();
  const className = `${name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}${timestamp}`;
  const file = path.join(database.migrationsDir, `${timestamp}-${name}.ts`);
  writeFileSync(file, migrationSource(className, up, down));
  writeMigrationIndex(database);
  return file;
}

function migrationSource(className: string, up: Query[], down: Query[]): string {
  const statements = (queries: Query[]) =>
    queries
      .map(({ query, parameters }) => {
        const sql = query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
        const params = parameters?.length ? `, ${JSON.stringify(parameters)}` : '';
        return `    await runner.query(\`${sql}\`${params});`;
      })
      .join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
${statements(up)}
  }

  async down(runner: QueryRunner): Promise<void> {
${statements(down)}
  }
}
`;
}

/** Rewrites migrations/index.ts to list every migration file, oldest first. */
export function writeMigrationIndex(database: ServiceDatabase): void {
  const files = readdirSync(database.migrationsDir)
    .filter((file) => /^\d{13}-.+\.ts$/.test(file))
    .sort();
  const entries = files.map((file) => {
    const match = /export class (\w+)/.exec(
      readFileSync(path.join(database.migrationsDir, file), 'utf8'),
    );
    if (!match?.[1]) throw new Error(`${file} exports no migration class`);
    return { className: match[1], module: `./${file.replace(/\.ts$/, '')}` };
  });
  const source = `${entries.map((e) => `import { ${e.className} } from '${e.module}';`).join('\n')}

/** Every migration of the ${database.schema} schema, oldest first. Generated; never edit a migration that has landed. */
export const MIGRATIONS = [${entries.map((e) => e.className).join(', ')}];
`;
  writeFileSync(path.join(database.migrationsDir, 'index.ts'), source);
}

// As a script only: in the nexus CLI's bundle (dist/tools/nexus/main.js) every
// module shares one `module`, which is require.main there.
if (require.main === module && path.basename(__filename) === 'generate-migration.ts') {
  const [service, name] = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL;
  if (!service || !name || !databaseUrl) {
    process.stderr.write(
      'usage: DATABASE_URL=... tsx tools/generate-migration.ts <service> <name>\n',
    );
    process.exit(2);
  }
  generateMigration(service, name, databaseUrl).then(
    (file) => process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
