import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tombstones of hard-deleted users, so nothing is recorded for them afterwards. */
export class ErasedUsers1796302668568 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "ai_usage"."erased_users" ("user_id" uuid NOT NULL, "erased_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_erased_users" PRIMARY KEY ("user_id"))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "ai_usage"."erased_users"`);
  }
}
