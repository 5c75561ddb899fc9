import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed password attempts per link share, so a leaked link's password cannot be guessed at will. */
export class LinkPasswordThrottles1796340000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "content"."link_password_throttles" ("key" text NOT NULL, "failures" integer NOT NULL, "last_failure_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_link_password_throttles" PRIMARY KEY ("key"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_link_password_throttles_last_failure_at" ON "content"."link_password_throttles" ("last_failure_at") `,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "content"."IDX_link_password_throttles_last_failure_at"`);
    await runner.query(`DROP TABLE "content"."link_password_throttles"`);
  }
}
