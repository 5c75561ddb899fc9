import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWork1795680308535 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TYPE "work"."project_status" AS ENUM('planning', 'active', 'on_hold', 'completed', 'cancelled')`,
    );
    await runner.query(
      `CREATE TYPE "work"."project_priority" AS ENUM('low', 'medium', 'high', 'critical')`,
    );
    await runner.query(
      `CREATE TABLE "work"."projects" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "deleted_at" TIMESTAMP(3) WITH TIME ZONE, "name" text NOT NULL, "description" text NOT NULL DEFAULT '', "status" "work"."project_status" NOT NULL DEFAULT 'planning', "priority" "work"."project_priority" NOT NULL DEFAULT 'medium', "start_date" date, "end_date" date, "budget_amount" numeric(14,2), "budget_currency" character(3), "hourly_rate" numeric(12,2), "owner_id" uuid NOT NULL, CONSTRAINT "PK_6271df0a7aed1d6c0691ce6ac50" PRIMARY KEY ("id"))`,
    );
    await runner.query(`CREATE INDEX "IDX_projects_end_date" ON "work"."projects"  ("end_date") `);
    await runner.query(
      `CREATE INDEX "IDX_projects_start_date" ON "work"."projects"  ("start_date") `,
    );
    await runner.query(`CREATE INDEX "IDX_projects_owner_id" ON "work"."projects"  ("owner_id") `);
    await runner.query(`CREATE INDEX "IDX_projects_priority" ON "work"."projects"  ("priority") `);
    await runner.query(`CREATE INDEX "IDX_projects_status" ON "work"."projects"  ("status") `);
    await runner.query(`CREATE INDEX "IDX_projects_name_id" ON "work"."projects"  ("name", "id") `);
    await runner.query(
      `CREATE INDEX "IDX_projects_created_at_id" ON "work"."projects"  ("created_at", "id") `,
    );
    await runner.query(
      `CREATE TYPE "work"."member_role" AS ENUM('owner', 'manager', 'member', 'viewer')`,
    );
    await runner.query(
      `CREATE TABLE "work"."project_members" ("project_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" "work"."member_role" NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b3f491d3a3f986106d281d8eb4b" PRIMARY KEY ("project_id", "user_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_project_members_user_id" ON "work"."project_members"  ("user_id") `,
    );
    await runner.query(
      `CREATE TYPE "work"."task_status" AS ENUM('todo', 'in_progress', 'in_review', 'blocked', 'done', 'cancelled')`,
    );
    await runner.query(
      `CREATE TYPE "work"."task_priority" AS ENUM('low', 'medium', 'high', 'critical')`,
    );
    await runner.query(
      `CREATE TABLE "work"."tasks" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "project_id" uuid NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT '', "status" "work"."task_status" NOT NULL DEFAULT 'todo', "priority" "work"."task_priority" NOT NULL DEFAULT 'medium', "assignee_id" uuid, "reporter_id" uuid NOT NULL, "estimated_hours" numeric(8,2), "actual_hours" numeric(10,2) NOT NULL DEFAULT '0', "start_date" date, "due_date" date, "due_sort" date NOT NULL DEFAULT '9999-12-31', "completed_at" TIMESTAMP(3) WITH TIME ZONE, "tags" text array NOT NULL DEFAULT '{}', "parent_task_id" uuid, CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_parent_task_id" ON "work"."tasks"  ("parent_task_id") `,
    );
    await runner.query(`CREATE INDEX "IDX_tasks_status" ON "work"."tasks"  ("status") `);
    await runner.query(
      `CREATE INDEX "IDX_tasks_assignee_due_sort_id" ON "work"."tasks"  ("assignee_id", "due_sort", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_project_priority_id" ON "work"."tasks"  ("project_id", "priority", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_project_due_sort_id" ON "work"."tasks"  ("project_id", "due_sort", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_project_created_at_id" ON "work"."tasks"  ("project_id", "created_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_priority_id" ON "work"."tasks"  ("priority", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_due_sort_id" ON "work"."tasks"  ("due_sort", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_tasks_created_at_id" ON "work"."tasks"  ("created_at", "id") `,
    );
    await runner.query(
      `CREATE TABLE "work"."task_dependencies" ("task_id" uuid NOT NULL, "blocker_id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ac07cf27c31ddd0a0349ffbc07c" PRIMARY KEY ("task_id", "blocker_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_task_dependencies_blocker_id" ON "work"."task_dependencies"  ("blocker_id") `,
    );
    await runner.query(
      `CREATE TABLE "work"."time_entries" ("id" uuid NOT NULL, "task_id" uuid NOT NULL, "user_id" uuid NOT NULL, "hours" numeric(5,2) NOT NULL, "work_date" date NOT NULL, "note" text NOT NULL DEFAULT '', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b8bc5f10269ba2fe88708904aa0" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_time_entries_user_id" ON "work"."time_entries"  ("user_id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_time_entries_task_created_at_id" ON "work"."time_entries"  ("task_id", "created_at", "id") `,
    );
    await runner.query(
      `ALTER TABLE "work"."project_members" ADD CONSTRAINT "FK_project_members_project" FOREIGN KEY ("project_id") REFERENCES "work"."projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "work"."tasks" ADD CONSTRAINT "FK_tasks_project" FOREIGN KEY ("project_id") REFERENCES "work"."projects"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "work"."tasks" ADD CONSTRAINT "FK_tasks_parent" FOREIGN KEY ("parent_task_id") REFERENCES "work"."tasks"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_dependencies" ADD CONSTRAINT "FK_task_dependencies_task" FOREIGN KEY ("task_id") REFERENCES "work"."tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_dependencies" ADD CONSTRAINT "FK_task_dependencies_blocker" FOREIGN KEY ("blocker_id") REFERENCES "work"."tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await runner.query(
      `ALTER TABLE "work"."time_entries" ADD CONSTRAINT "FK_time_entries_task" FOREIGN KEY ("task_id") REFERENCES "work"."tasks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Hand-written: what TypeORM's schema builder cannot express.
    // The tag filter of ListTasks (tags @> ARRAY[tag]).
    await runner.query(`CREATE INDEX "IDX_tasks_tags" ON "work"."tasks" USING gin ("tags")`);
    // due_sort is the NOT NULL keyset column of the due-date order; undated tasks sort last.
    await runner.query(
      `CREATE FUNCTION "work"."tasks_set_due_sort"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.due_sort := coalesce(NEW.due_date, DATE '9999-12-31'); RETURN NEW; END $$`,
    );
    await runner.query(
      `CREATE TRIGGER "TRG_tasks_due_sort" BEFORE INSERT OR UPDATE OF "due_date", "due_sort" ON "work"."tasks" FOR EACH ROW EXECUTE FUNCTION "work"."tasks_set_due_sort"()`,
    );
    await runner.query(
      `ALTER TABLE "work"."projects" ADD CONSTRAINT "CHK_projects_dates" CHECK ("end_date" IS NULL OR "start_date" IS NULL OR "end_date" >= "start_date")`,
    );
    await runner.query(
      `ALTER TABLE "work"."projects" ADD CONSTRAINT "CHK_projects_budget" CHECK (("budget_amount" IS NULL) = ("budget_currency" IS NULL) AND ("budget_amount" IS NULL OR "budget_amount" >= 0) AND ("hourly_rate" IS NULL OR "hourly_rate" >= 0))`,
    );
    await runner.query(
      `ALTER TABLE "work"."tasks" ADD CONSTRAINT "CHK_tasks_dates" CHECK ("due_date" IS NULL OR "start_date" IS NULL OR "due_date" >= "start_date")`,
    );
    await runner.query(
      `ALTER TABLE "work"."tasks" ADD CONSTRAINT "CHK_tasks_hours" CHECK (("estimated_hours" IS NULL OR "estimated_hours" >= 0) AND "actual_hours" >= 0)`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_dependencies" ADD CONSTRAINT "CHK_task_dependencies_not_self" CHECK ("task_id" <> "blocker_id")`,
    );
    await runner.query(
      `ALTER TABLE "work"."time_entries" ADD CONSTRAINT "CHK_time_entries_hours" CHECK ("hours" > 0 AND "hours" <= 24)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "work"."time_entries" DROP CONSTRAINT "CHK_time_entries_hours"`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_dependencies" DROP CONSTRAINT "CHK_task_dependencies_not_self"`,
    );
    await runner.query(`ALTER TABLE "work"."tasks" DROP CONSTRAINT "CHK_tasks_hours"`);
    await runner.query(`ALTER TABLE "work"."tasks" DROP CONSTRAINT "CHK_tasks_dates"`);
    await runner.query(`ALTER TABLE "work"."projects" DROP CONSTRAINT "CHK_projects_budget"`);
    await runner.query(`ALTER TABLE "work"."projects" DROP CONSTRAINT "CHK_projects_dates"`);
    await runner.query(`DROP TRIGGER "TRG_tasks_due_sort" ON "work"."tasks"`);
    await runner.query(`DROP FUNCTION "work"."tasks_set_due_sort"()`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_tags"`);
    await runner.query(`ALTER TABLE "work"."time_entries" DROP CONSTRAINT "FK_time_entries_task"`);
    await runner.query(
      `ALTER TABLE "work"."task_dependencies" DROP CONSTRAINT "FK_task_dependencies_blocker"`,
    );
    await runner.query(
      `ALTER TABLE "work"."task_dependencies" DROP CONSTRAINT "FK_task_dependencies_task"`,
    );
    await runner.query(`ALTER TABLE "work"."tasks" DROP CONSTRAINT "FK_tasks_parent"`);
    await runner.query(`ALTER TABLE "work"."tasks" DROP CONSTRAINT "FK_tasks_project"`);
    await runner.query(
      `ALTER TABLE "work"."project_members" DROP CONSTRAINT "FK_project_members_project"`,
    );
    await runner.query(`DROP INDEX "work"."IDX_time_entries_task_created_at_id"`);
    await runner.query(`DROP INDEX "work"."IDX_time_entries_user_id"`);
    await runner.query(`DROP TABLE "work"."time_entries"`);
    await runner.query(`DROP INDEX "work"."IDX_task_dependencies_blocker_id"`);
    await runner.query(`DROP TABLE "work"."task_dependencies"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_created_at_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_due_sort_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_priority_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_project_created_at_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_project_due_sort_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_project_priority_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_assignee_due_sort_id"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_status"`);
    await runner.query(`DROP INDEX "work"."IDX_tasks_parent_task_id"`);
    await runner.query(`DROP TABLE "work"."tasks"`);
    await runner.query(`DROP TYPE "work"."task_priority"`);
    await runner.query(`DROP TYPE "work"."task_status"`);
    await runner.query(`DROP INDEX "work"."IDX_project_members_user_id"`);
    await runner.query(`DROP TABLE "work"."project_members"`);
    await runner.query(`DROP TYPE "work"."member_role"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_created_at_id"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_name_id"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_status"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_priority"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_owner_id"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_start_date"`);
    await runner.query(`DROP INDEX "work"."IDX_projects_end_date"`);
    await runner.query(`DROP TABLE "work"."projects"`);
    await runner.query(`DROP TYPE "work"."project_priority"`);
    await runner.query(`DROP TYPE "work"."project_status"`);
  }
}
