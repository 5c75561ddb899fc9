import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { migrate } from '@nexus/db';
import { CliError, servicesNamed, withServiceDatabase } from './database';

/** Asks a yes/no question on the terminal; without one, the answer is no. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}

export function refuseInProduction(action: string): void {
  if (process.env.NODE_ENV === 'production')
    throw new CliError(`${action} is refused when NODE_ENV=production`);
}

export function registerResetCommand(db: Command): void {
  db.command('reset')
    .description('drop and recreate schemas (all data in them is lost); refused in production')
    .argument('[service]', 'a service name, or all', 'all')
    .option('--yes', 'do not ask for confirmation')
    .action(async (service: string, options: { yes?: boolean }) => {
      refuseInProduction('db reset');
      const targets = servicesNamed(service);
      const names = targets.map((t) => t.schema).join(', ');
      if (!options.yes && !(await confirm(`Drop schema(s) ${names} and every row in them?`))) {
        throw new CliError('not confirmed; nothing was changed (pass --yes to skip the question)');
      }
      for (const target of targets) {
        await withServiceDatabase(target, async (dataSource) => {
          await dataSource.query(`DROP SCHEMA IF EXISTS "${target.schema}" CASCADE`);
          await migrate(dataSource);
        });
        console.log(`${target.service}: schema ${target.schema} dropped and migrated`);
      }
    });
}
