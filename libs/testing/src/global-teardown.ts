import { Client } from 'pg';

/** Drops the run's database and stops the stack the setup started, if any. */
export default async function globalTeardown(): Promise<void> {
  const database = globalThis.__nexusTestDatabase;
  if (database) {
    const admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`);
    await admin.end();
  }
  const stack = globalThis.__nexusStack;
  if (stack && stack.child.exitCode === null) {
    const exited = new Promise((resolve) => stack.child.once('exit', resolve));
    stack.child.kill('SIGTERM');
    await exited;
  }
}
