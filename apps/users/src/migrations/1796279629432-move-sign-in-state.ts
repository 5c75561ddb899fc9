import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moves the sign-in bookkeeping (failed count, last sign-in) off the user row
 * into its own table, with the values users already had, so that a sign-in
 * no longer bumps the user's version or publishes an `updated` event.
 */
export class MoveSignInState1796279629432 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "users"."sign_in_states" ("user_id" uuid NOT NULL, "failed_login_count" integer NOT NULL DEFAULT '0', "last_login_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_sign_in_states" PRIMARY KEY ("user_id"))`,
    );
    await runner.query(
      `ALTER TABLE "users"."sign_in_states" ADD CONSTRAINT "FK_sign_in_states_user" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `INSERT INTO "users"."sign_in_states" ("user_id", "failed_login_count", "last_login_at") SELECT "id", "failed_login_count", "last_login_at" FROM "users"."users" WHERE "failed_login_count" <> 0 OR "last_login_at" IS NOT NULL`,
    );
    await runner.query(`ALTER TABLE "users"."users" DROP COLUMN "failed_login_count"`);
    await runner.query(`ALTER TABLE "users"."users" DROP COLUMN "last_login_at"`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "users"."users" ADD "last_login_at" TIMESTAMP(3) WITH TIME ZONE`,
    );
    await runner.query(
      `ALTER TABLE "users"."users" ADD "failed_login_count" integer NOT NULL DEFAULT '0'`,
    );
    await runner.query(
      `UPDATE "users"."users" AS u SET "failed_login_count" = s."failed_login_count", "last_login_at" = s."last_login_at" FROM "users"."sign_in_states" AS s WHERE s."user_id" = u."id"`,
    );
    await runner.query(
      `ALTER TABLE "users"."sign_in_states" DROP CONSTRAINT "FK_sign_in_states_user"`,
    );
    await runner.query(`DROP TABLE "users"."sign_in_states"`);
  }
}
