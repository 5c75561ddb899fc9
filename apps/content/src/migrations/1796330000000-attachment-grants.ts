import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Access to files through the messages that carry them (attachment-grant.entity.ts). */
export class AttachmentGrants1796330000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "content"."attachment_grants" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "file_id" uuid NOT NULL, "user_id" uuid NOT NULL, "via_service" text NOT NULL, "via_type" text NOT NULL, "via_id" uuid NOT NULL, "granted_by" uuid NOT NULL, CONSTRAINT "UQ_attachment_grants_user_file_via" UNIQUE ("user_id", "file_id", "via_service", "via_type", "via_id"), CONSTRAINT "PK_9460e48462b4c6923ac8a0c86f4" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_attachment_grants_via" ON "content"."attachment_grants"  ("via_service", "via_type", "via_id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_attachment_grants_file_id" ON "content"."attachment_grants"  ("file_id") `,
    );
    await runner.query(
      `ALTER TABLE "content"."attachment_grants" ADD CONSTRAINT "FK_attachment_grants_file_id" FOREIGN KEY ("file_id") REFERENCES "content"."files"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "content"."attachment_grants" DROP CONSTRAINT "FK_attachment_grants_file_id"`,
    );
    await runner.query(`DROP INDEX "content"."IDX_attachment_grants_file_id"`);
    await runner.query(`DROP INDEX "content"."IDX_attachment_grants_via"`);
    await runner.query(`DROP TABLE "content"."attachment_grants"`);
  }
}
