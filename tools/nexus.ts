/**
 * The nexus CLI: `npx nexus <command>`. Database lifecycle (db migrate,
 * roles, revert, status, generate, seed, verify, reset, backup, restore) and the
 * local stack (stack up, down, status). Database commands read DATABASE_URL,
 * else find the local stack npm start or `nexus stack up` runs.
 */
import { Command } from 'commander';
import { CliError } from './cli/database';
import { registerBackupCommands } from './cli/db-backup';
import { registerMigrationCommands } from './cli/db-migrations';
import { registerResetCommand } from './cli/db-reset';
import { registerRolesCommand } from './cli/db-roles';
import { registerSeedCommand } from './cli/db-seed';
import { registerVerifyCommand } from './cli/db-verify';
import { registerStackCommands } from './cli/stack';

export function buildProgram(): Command {
  const program = new Command('nexus')
    .description('NEXUS platform operations')
    .showHelpAfterError();
  const db = program
    .command('db')
    .description('the database lifecycle (DATABASE_URL, else the running local stack)');
  registerMigrationCommands(db);
  registerRolesCommand(db);
  registerSeedCommand(db);
  registerVerifyCommand(db);
  registerResetCommand(db);
  registerBackupCommands(db);
  registerStackCommands(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      process.stderr.write(
        `nexus: ${error instanceof Error && error.name === 'CliError' ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}

export { CliError };
