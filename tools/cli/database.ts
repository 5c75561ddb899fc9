import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@nexus/db';
import { listServices, loadServiceDatabase, type ServiceDatabase } from '../service-registry';
import { readRunningStack, stackDataDir } from './stack-state';

/** An error meant for the person at the terminal: printed without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}

/**
 * The database the CLI works on: DATABASE_URL, else the PostgreSQL of the
 * local stack `npm start` or `nexus stack up` runs (its state file in the
 * data dir), as npm start itself finds it.
 */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): {
  url: string;
  from: string;
} {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, from: 'DATABASE_URL' };
  const dataDir = stackDataDir(env);
  const stack = readRunningStack(dataDir);
  if (stack?.databaseUrl)
    return {
      url: stack.databaseUrl,
      from: `the local stack of ${stack.startedBy} (pid ${stack.pid})`,
    };
  throw new CliError(
    `DATABASE_URL is not set and no local stack is running (none recorded in ${dataDir}). ` +
      'Start one with `npm start` (the whole platform) or `npx nexus stack up` ' +
      '(PostgreSQL and Kafka only), or set DATABASE_URL to your PostgreSQL.',
  );
}

let announced = false;

/** resolveDatabaseUrl for a command; says once on stderr when the local stack was chosen. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const { url, from } = resolveDatabaseUrl(env);
  if (from !== 'DATABASE_URL' && !announced) {
    announced = true;
    process.stderr.write(`nexus: DATABASE_URL is not set; using ${from}\n`);
  }
  return url;
}

/** The services a command names: one, or every service for `all` / nothing. */
export function servicesNamed(name: string | undefined): ServiceDatabase[] {
  if (!name || name === 'all') return listServices().map(loadServiceDatabase);
  try {
    return [loadServiceDatabase(name)];
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/** Opens a data source for one service's schema, runs `work`, and closes it. */
export async function withServiceDatabase<T>(
  service: ServiceDatabase,
  work: (dataSource: DataSource) => Promise<T>,
  url = databaseUrl(),
): Promise<T> {
  const dataSource = createDataSource({
    url,
    schema: service.schema,
    entities: service.entities,
    migrations: service.migrations,
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: process.env.SQL_ECHO === 'true',
    applicationName: 'nexus-cli',
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new CliError(describeConnectionError(error, url));
  }
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** What went wrong connecting, in words a person can act on; never the password. */
export function describeConnectionError(error: unknown, url: string): string {
  const { hostname, port, username, pathname } = new URL(url);
  const where = `${hostname}:${port || 5432}`;
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    /timeout/i.test(message)
  ) {
    return `cannot reach PostgreSQL at ${where} (${code ?? message}); is it running? (npx nexus stack up starts the local one)`;
  }
  if (code === '28P01' || code === '28000')
    return `PostgreSQL at ${where} refused the credentials of user "${username}"`;
  if (code === '3D000') return `database "${pathname.slice(1)}" does not exist on ${where}`;
  return `cannot connect to PostgreSQL at ${where}: ${message}`;
}

export { listServices };
