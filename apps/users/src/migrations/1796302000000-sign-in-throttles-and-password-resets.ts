import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-in counts per login and per source (brute-force protection),
 * and single-use password reset tokens (their SHA-256 only).
 */
export class SignInThrottlesAndPasswordResets1796302000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "users"."sign_in_throttles" ("key" text NOT NULL, "failures" integer NOT NULL, "last_failure_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_sign_in_throttles" PRIMARY KEY ("key"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_sign_in_throttles_last_failure_at" ON "users"."sign_in_throttles"  ("last_failure_at") `,
    );
    await runner.query(
      `CREATE TABLE "users"."password_resets" ("id" uuid NOT NULL, "user_id" uuid NOT NULL, "token_hash" text NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_password_resets" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_password_resets_user_id" ON "users"."password_resets"  ("user_id") `,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_password_resets_token_hash" ON "users"."password_resets"  ("token_hash") `,
    );
    await runner.query(
      `ALTER TABLE "users"."password_resets" ADD CONSTRAINT "FK_password_resets_user" FOREIGN KEY ("user_id") REFERENCES "users"."users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "users"."password_resets" DROP CONSTRAINT "FK_password_resets_user"`,
    );
    await runner.query(`DROP INDEX "users"."UQ_password_resets_token_hash"`);
    await runner.query(`DROP INDEX "users"."IDX_password_resets_user_id"`);
    await runner.query(`DROP TABLE "users"."password_resets"`);
    await runner.query(`DROP INDEX "users"."IDX_sign_in_throttles_last_failure_at"`);
    await runner.query(`DROP TABLE "users"."sign_in_throttles"`);
  }
}
