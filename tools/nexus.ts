/**
 * The nexus CLI (database lifecycle). Usage:
 *   npx tsx tools/nexus.ts db migrate [service|all]
 *   npx tsx tools/nexus.ts db revert <service> [--steps n]
 *   npx tsx tools/nexus.ts db status
 * Reads DATABASE_URL (required here: the CLI acts on a database you name).
 */
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate, migrationState, revert } from '@nexus/db';
import { listServices, loadServiceDatabase } from './service-registry';

const USAGE = `usage:
  nexus db migrate [service|all]
  nexus db revert <service> [--steps n]
  nexus db status`;

async function withService<T>(
  service: string,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const dataSource = createDataSource({
    url,
    ...loadServiceDatabase(service),
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: process.env.SQL_ECHO === 'true',
    applicationName: 'nexus-cli',
  });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

function servicesNamed(name: string | undefined): string[] {
  return !name || name === 'all' ? listServices() : [loadServiceDatabase(name).service];
}

async function main(argv: string[]): Promise<void> {
  const [group, command, target, ...flags] = argv;
  if (group !== 'db') throw new Error(USAGE);
  switch (command) {
    case 'migrate':
      for (const service of servicesNamed(target)) {
        const applied = await withService(service, migrate);
        console.log(
          `${service}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`,
        );
      }
      return;
    case 'revert': {
      if (!target || target === 'all') throw new Error(`revert needs one service\n${USAGE}`);
      const stepsFlag = flags.indexOf('--steps');
      const steps = stepsFlag >= 0 ? Number(flags[stepsFlag + 1]) : 1;
      if (!Number.isInteger(steps) || steps < 1)
        throw new Error('--steps must be a positive whole number');
      const reverted = await withService(target, (dataSource) => revert(dataSource, steps));
      console.log(`${target}: reverted ${reverted} migration(s)`);
      return;
    }
    case 'status':
      for (const service of listServices()) {
        const state = await withService(service, migrationState);
        const current = state.applied.at(-1)?.name ?? '(none)';
        console.log(
          `${service}: current ${current}; applied ${state.applied.length}; pending ${state.pending.length ? state.pending.join(', ') : 'none'}`,
        );
      }
      return;
    default:
      throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
