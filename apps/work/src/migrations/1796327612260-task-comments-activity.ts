import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Task comments (their own aggregate) and the task history their and the tasks' events fill. */
export class TaskCommentsActivity1796327612260 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "work"."task_activity" ("id" uuid NOT NULL, "task_id" uuid NOT NULL, "kind" text NOT NULL, "actor_id" uuid, "changes" jsonb NOT NULL DEFAULT '[]', "comment_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_a8f24c7952c9ff5533f88279941" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_task_activity_task_created_at_id" ON "work"."task_activity"  ("task_id", "created_at", "id") `,
    );
    await runner.query(
      `CREATE TABLE "work"."task_comments" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "task_id" uuid NOT NULL, "author_id" uuid NOT NULL, "text" text NOT NULL, CONSTRAINT "PK_83b99b0b03db29d4cafcb579b77" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_task_comments_author_id" ON "work"."task_comments"  ("author_id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_task_comments_task_created_at_id" ON "work"."task_comments"  ("task_id", "created_at", "id") `,
    );
    await runner.query(
      `ALTER TABLE "work"."task_activity" ADD CONSTRAINT "FK_task_activity_task" FOREIGN KEY ("task_id") REFERENCES "work"."tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_comments" ADD CONSTRAINT "FK_task_comments_task" FOREIGN KEY ("task_id") REFERENCES "work"."tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "work"."task_comments" DROP CONSTRAINT "FK_task_comments_task"`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_activity" DROP CONSTRAINT "FK_task_activity_task"`,
    );
    await runner.query(`DROP INDEX "work"."IDX_task_comments_task_created_at_id"`);
    await runner.query(`DROP INDEX "work"."IDX_task_comments_author_id"`);
    await runner.query(`DROP TABLE "work"."task_comments"`);
    await runner.query(`DROP INDEX "work"."IDX_task_activity_task_created_at_id"`);
    await runner.query(`DROP TABLE "work"."task_activity"`);
  }
}
