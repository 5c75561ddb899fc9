import type { Command } from 'commander';
import { searchLanguageSchema } from '@nexus/config';
import { migrate, migrationState, revert } from '@nexus/db';
import { generateMigration } from '../generate-migration';
import { CliError, databaseUrl, servicesNamed, withServiceDatabase } from './database';

export function registerMigrationCommands(db: Command): void {
  db.command('migrate')
    .description('apply pending migrations (under an advisory lock, so concurrent runs are safe)')
    .argument('[service]', 'a service name, or all', 'all')
    .action(async (service: string) => {
      const language = searchLanguageSchema.safeParse(process.env.SEARCH_LANGUAGE || undefined);
      if (!language.success)
        throw new CliError(`SEARCH_LANGUAGE: ${language.error.issues[0]?.message ?? 'invalid'}`);
      for (const target of servicesNamed(service)) {
        const applied = await withServiceDatabase(target, (dataSource) =>
          migrate(dataSource, { searchLanguage: language.data }),
        );
        console.log(
          `${target.service}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`,
        );
      }
    });

  db.command('revert')
    .description('revert the newest migrations of one service')
    .argument('<service>')
    .option('--steps <n>', 'how many migrations to revert', '1')
    .action(async (service: string, options: { steps: string }) => {
      const steps = Number(options.steps);
      if (!Number.isInteger(steps) || steps < 1)
        throw new CliError('--steps must be a positive whole number');
      const [target] = servicesNamed(service);
      if (service === 'all' || !target) throw new CliError('revert works on one service at a time');
      const reverted = await withServiceDatabase(target, (dataSource) => revert(dataSource, steps));
      console.log(`${target.service}: reverted ${reverted} migration(s)`);
    });

  db.command('status')
    .description('per service: the current migration, the applied history and what is pending')
    .argument('[service]', 'a service name, or all', 'all')
    .action(async (service: string) => {
      for (const target of servicesNamed(service)) {
        const state = await withServiceDatabase(target, migrationState);
        console.log(`${target.service} (schema ${target.schema})`);
        console.log(`  current: ${state.applied.at(-1)?.name ?? '(none)'}`);
        for (const applied of state.applied) console.log(`  applied: ${applied.name}`);
        for (const pending of state.pending) console.log(`  pending: ${pending}`);
      }
    });

  db.command('generate')
    .description(
      'write the migration that brings a schema in line with its entities (refuses when nothing changed)',
    )
    .argument('<service>')
    .argument('<name>', 'kebab-case, e.g. add-user-avatar')
    .action(async (service: string, name: string) => {
      const [target] = servicesNamed(service);
      if (service === 'all' || !target)
        throw new CliError('generate works on one service at a time');
      try {
        console.log(`wrote ${await generateMigration(target.service, name, databaseUrl())}`);
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error));
      }
    });
}
