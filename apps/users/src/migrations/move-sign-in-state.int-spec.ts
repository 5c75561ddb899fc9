import { createDataSource, migrate, withScratchDatabase } from '@nexus/db';
import { requireEnv } from '@nexus/testing';
import { database } from '../database';
import { MoveSignInState1796279629432 } from './1796279629432-move-sign-in-state';

const SIGNED_IN = '01900000-0000-7000-8000-000000000001';
const NEVER = '01900000-0000-7000-8000-000000000002';
const AT = new Date('2026-03-04T05:06:07.089Z');

describe('MoveSignInState migration', () => {
  it("moves each user's failed count and last sign-in off the user row, and back on revert", async () => {
    await withScratchDatabase(requireEnv('DATABASE_URL'), 'nexus_users_sign_in', async (url) => {
      const index = database.migrations.indexOf(MoveSignInState1796279629432);
      const dataSource = createDataSource({
        url,
        schema: database.schema,
        entities: [],
        migrations: database.migrations.slice(0, index),
        poolSize: 2,
        maxOverflow: 0,
        sqlEcho: false,
        applicationName: 'nexus-migration-data-check',
      });
      await dataSource.initialize();
      const runner = dataSource.createQueryRunner();
      try {
        await migrate(dataSource);
        await runner.query(
          `INSERT INTO "users"."users" (id, version, email, username, password_hash, failed_login_count, last_login_at)
           VALUES ($1, 1, 'a@example.com', 'a', 'hash', 3, $3), ($2, 1, 'b@example.com', 'b', 'hash', 0, NULL)`,
          [SIGNED_IN, NEVER, AT],
        );
        const migration = new MoveSignInState1796279629432();

        await migration.up(runner);
        expect(
          await runner.query(
            `SELECT user_id, failed_login_count, last_login_at FROM "users"."sign_in_states"`,
          ),
        ).toEqual([{ user_id: SIGNED_IN, failed_login_count: 3, last_login_at: AT }]);

        await migration.down(runner);
        expect(
          await runner.query(
            `SELECT id, failed_login_count, last_login_at FROM "users"."users" ORDER BY id`,
          ),
        ).toEqual([
          { id: SIGNED_IN, failed_login_count: 3, last_login_at: AT },
          { id: NEVER, failed_login_count: 0, last_login_at: null },
        ]);
      } finally {
        await runner.release();
        await dataSource.destroy();
      }
    });
  });
});
