import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Comments on documents: threads (a first comment, `thread_id` null, and
 * replies naming it), anchors as the client gives them, resolve state on the
 * first comment. They go with their document and replies with their thread.
 */
export class DocumentComments1796331100000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "content"."document_comments" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "document_id" uuid NOT NULL, "thread_id" uuid, "author_id" uuid NOT NULL, "text" text NOT NULL, "anchor" jsonb, "resolved_at" TIMESTAMP(3) WITH TIME ZONE, "resolved_by" uuid, CONSTRAINT "PK_200479d42efeede25a2355d7708" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_document_comments_thread" ON "content"."document_comments" ("thread_id") `,
    );
    // ListComments' thread order: threads by their first comment's id, then replies by id.
    await runner.query(
      `CREATE INDEX "IDX_document_comments_thread_order" ON "content"."document_comments" ("document_id", COALESCE("thread_id", "id"), "id")`,
    );
    await runner.query(
      `ALTER TABLE "content"."document_comments" ADD CONSTRAINT "FK_cc25441dacae9903dfb4bd9d15c" FOREIGN KEY ("document_id") REFERENCES "content"."documents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "content"."document_comments" ADD CONSTRAINT "FK_9efda48974376a017402b05c04e" FOREIGN KEY ("thread_id") REFERENCES "content"."document_comments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "content"."document_comments" DROP CONSTRAINT "FK_9efda48974376a017402b05c04e"`,
    );
    await runner.query(
      `ALTER TABLE "content"."document_comments" DROP CONSTRAINT "FK_cc25441dacae9903dfb4bd9d15c"`,
    );
    await runner.query(`DROP INDEX "content"."IDX_document_comments_thread_order"`);
    await runner.query(`DROP INDEX "content"."IDX_document_comments_thread"`);
    await runner.query(`DROP TABLE "content"."document_comments"`);
  }
}
