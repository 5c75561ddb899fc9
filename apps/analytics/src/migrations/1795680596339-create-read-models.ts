import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReadModels1795680596339 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "analytics"."events_daily" ("day" date NOT NULL, "type" text NOT NULL, "events" bigint NOT NULL DEFAULT '0', CONSTRAINT "PK_522a38e4def7389d0e3288983d3" PRIMARY KEY ("day", "type"))`,
    );
    await runner.query(
      `CREATE TABLE "analytics"."active_users_daily" ("day" date NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_f2f8a60a250824ae171f04e8b5d" PRIMARY KEY ("day", "user_id"))`,
    );
    await runner.query(
      `CREATE TABLE "analytics"."documents_daily" ("day" date NOT NULL, "kind" text NOT NULL, "created" integer NOT NULL DEFAULT '0', "edited" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_b3130fa26b12353ebc03b9087b2" PRIMARY KEY ("day", "kind"))`,
    );
    await runner.query(
      `CREATE TABLE "analytics"."emails_daily" ("day" date NOT NULL, "sent" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_35673b35e17927ceff91ac115cd" PRIMARY KEY ("day"))`,
    );
    await runner.query(
      `CREATE TABLE "analytics"."chat_messages_daily" ("day" date NOT NULL, "room_id" uuid NOT NULL, "messages" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_d57d3ab4d6207ec7d52f4ff6cdd" PRIMARY KEY ("day", "room_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_269415b4a8862367be32e1a2c8" ON "analytics"."chat_messages_daily"  ("room_id") `,
    );
    await runner.query(
      `CREATE TABLE "analytics"."tasks_daily" ("day" date NOT NULL, "project_id" uuid NOT NULL, "created" integer NOT NULL DEFAULT '0', "completed" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_7639f8dc4cb7a1c6a4355c6ff12" PRIMARY KEY ("day", "project_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_7d74f082fa96fede39cdc7df91" ON "analytics"."tasks_daily"  ("project_id") `,
    );
    await runner.query(
      `CREATE TABLE "analytics"."task_states" ("task_id" uuid NOT NULL, "project_id" uuid NOT NULL, "status" text NOT NULL, "open" boolean NOT NULL, "due_date" date, CONSTRAINT "PK_e0c280a00e29182e9f8ecae2fb4" PRIMARY KEY ("task_id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_983dfabc2b2ad52cfe8a370425" ON "analytics"."task_states"  ("open", "due_date") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_9d47b6df3a7a5774328354eaf4" ON "analytics"."task_states"  ("project_id", "open") `,
    );
    await runner.query(
      `CREATE TABLE "analytics"."ai_usage_daily" ("day" date NOT NULL, "model" text NOT NULL, "module" text NOT NULL, "user_id" text NOT NULL, "currency_code" text NOT NULL, "interactions" integer NOT NULL DEFAULT '0', "input_tokens" bigint NOT NULL DEFAULT '0', "output_tokens" bigint NOT NULL DEFAULT '0', "total_tokens" bigint NOT NULL DEFAULT '0', "cost" numeric(20,9) NOT NULL DEFAULT '0', CONSTRAINT "PK_7c1cdaef8780b077f29c2ef0947" PRIMARY KEY ("day", "model", "module", "user_id", "currency_code"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_86d1f56c6082aa71356d9d0132" ON "analytics"."ai_usage_daily"  ("model", "day") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_62e29f6c10e22c489a43fed2b8" ON "analytics"."ai_usage_daily"  ("user_id", "day") `,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "analytics"."IDX_62e29f6c10e22c489a43fed2b8"`);
    await runner.query(`DROP INDEX "analytics"."IDX_86d1f56c6082aa71356d9d0132"`);
    await runner.query(`DROP TABLE "analytics"."ai_usage_daily"`);
    await runner.query(`DROP INDEX "analytics"."IDX_9d47b6df3a7a5774328354eaf4"`);
    await runner.query(`DROP INDEX "analytics"."IDX_983dfabc2b2ad52cfe8a370425"`);
    await runner.query(`DROP TABLE "analytics"."task_states"`);
    await runner.query(`DROP INDEX "analytics"."IDX_7d74f082fa96fede39cdc7df91"`);
    await runner.query(`DROP TABLE "analytics"."tasks_daily"`);
    await runner.query(`DROP INDEX "analytics"."IDX_269415b4a8862367be32e1a2c8"`);
    await runner.query(`DROP TABLE "analytics"."chat_messages_daily"`);
    await runner.query(`DROP TABLE "analytics"."emails_daily"`);
    await runner.query(`DROP TABLE "analytics"."documents_daily"`);
    await runner.query(`DROP TABLE "analytics"."active_users_daily"`);
    await runner.query(`DROP TABLE "analytics"."events_daily"`);
  }
}
