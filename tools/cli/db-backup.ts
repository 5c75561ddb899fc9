import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from 'pg';
import { postgresConnection } from '@nexus/config';
import { listServices, loadServiceDatabase } from '../service-registry';
import { CliError, databaseUrl, describeConnectionError, servicesNamed } from './database';
import { confirm, refuseInProduction } from './db-reset';

/** Runs a PostgreSQL client tool; its stderr becomes the error when it fails. */
function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          error.code === 'ENOENT'
            ? `${tool} not found: install the PostgreSQL client tools (e.g. apt-get install postgresql-client)`
            : error.message,
        ),
      ),
    );
    child.once('exit', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new CliError(`${tool} failed: ${stderr.trim() || `exit code ${code}`}`)),
    );
  });
}

/** The migrations recorded in a dump, per schema, read from its `migrations` tables' data. */
export async function migrationsInDump(file: string): Promise<Map<string, string[]>> {
  const sql = await run('pg_restore', ['--data-only', '--table=migrations', '--file=-', file]);
  const bySchema = new Map<string, string[]>();
  let schema: string | null = null;
  for (const line of sql.split('\n')) {
    const copy = /^COPY "?([\w-]+)"?\.migrations /.exec(line);
    if (copy) {
      schema = copy[1] ?? null;
      bySchema.set(schema ?? '', []);
    } else if (line === '\\.') {
      schema = null;
    } else if (schema && line) {
      bySchema.get(schema)?.push(line.split('\t')[2] ?? '');
    }
  }
  return bySchema;
}

/** Refuses a dump whose schemas ran migrations this code does not have. */
export async function checkDumpIsNotNewer(file: string): Promise<string[]> {
  const dumped = await migrationsInDump(file);
  const schemas = new Map(
    listServices().map((service) => [
      loadServiceDatabase(service).schema,
      loadServiceDatabase(service),
    ]),
  );
  for (const [schema, names] of dumped) {
    const service = schemas.get(schema);
    if (!service)
      throw new CliError(`the dump holds schema "${schema}", which no service of this code owns`);
    const known = new Set(service.migrations.map((migration) => migration.name));
    const unknown = names.filter((name) => !known.has(name));
    if (unknown.length) {
      throw new CliError(
        `the dump comes from a newer schema: ${service.service} has migration(s) ${unknown.join(', ')} ` +
          'that this code does not know; restore it with the code that made it',
      );
    }
  }
  return [...dumped.keys()];
}

async function existingSchemas(url: string, schemas: string[]): Promise<string[]> {
  const client = new Client(postgresConnection(url));
  try {
    await client.connect();
  } catch (error) {
    throw new CliError(describeConnectionError(error, url));
  }
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])`,
      [schemas],
    );
    return rows.map((row) => row.nspname);
  } finally {
    await client.end();
  }
}

async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  const client = new Client(postgresConnection(url));
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export function registerBackupCommands(db: Command): void {
  db.command('backup')
    .description('write a pg_dump custom-format backup of every schema, or of one service')
    .argument('<file>')
    .option('--service <service>', 'only this service')
    .action(async (file: string, options: { service?: string }) => {
      const url = databaseUrl();
      const schemas = servicesNamed(options.service).map((service) => service.schema);
      const present = await existingSchemas(url, schemas);
      const absent = schemas.filter((schema) => !present.includes(schema));
      if (absent.length)
        throw new CliError(
          `schema(s) ${absent.join(', ')} do not exist yet: run nexus db migrate first`,
        );
      await run('pg_dump', [
        '--format=custom',
        `--file=${file}`,
        ...schemas.map((s) => `--schema=${s}`),
        url,
      ]);
      console.log(`backed up ${schemas.join(', ')} to ${file}`);
    });

  db.command('restore')
    .description(
      'restore a backup made by `db backup` (into an empty database, or --clean to replace its schemas)',
    )
    .argument('<file>')
    .option('--clean', 'drop the schemas the dump holds before restoring (refused in production)')
    .option('--yes', 'do not ask for confirmation with --clean')
    .action(async (file: string, options: { clean?: boolean; yes?: boolean }) => {
      if (!existsSync(file)) throw new CliError(`${file} does not exist`);
      const url = databaseUrl();
      const schemas = await checkDumpIsNotNewer(file);
      const clashing = await existingSchemas(url, schemas);
      if (clashing.length && !options.clean) {
        throw new CliError(
          `schema(s) ${clashing.join(', ')} already exist in the target; pass --clean to replace them`,
        );
      }
      if (clashing.length) {
        refuseInProduction('db restore --clean');
        if (
          !options.yes &&
          !(await confirm(`Drop schema(s) ${clashing.join(', ')} and restore them from ${file}?`))
        ) {
          throw new CliError('not confirmed; nothing was changed');
        }
        await dropSchemas(url, clashing);
      }
      await run('pg_restore', [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        `--dbname=${url}`,
        file,
      ]);
      console.log(`restored ${schemas.join(', ')} from ${file}`);
    });
}
