import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAiUsage1795680327034 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TYPE "ai_usage"."ai_module" AS ENUM('documents', 'email', 'chat', 'projects', 'tasks', 'files', 'other')`,
    );
    await runner.query(
      `CREATE TYPE "ai_usage"."ai_operation" AS ENUM('chat', 'completion', 'embedding', 'image', 'other')`,
    );
    await runner.query(
      `CREATE TYPE "ai_usage"."ai_interaction_status" AS ENUM('success', 'error')`,
    );
    await runner.query(
      `CREATE TABLE "ai_usage"."ai_interactions" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "user_id" uuid NOT NULL, "module" "ai_usage"."ai_module" NOT NULL, "provider" text NOT NULL, "request_model" text NOT NULL, "response_model" text NOT NULL DEFAULT '', "model" text NOT NULL, "operation" "ai_usage"."ai_operation" NOT NULL, "prompt" text, "response" text, "prompt_captured" boolean NOT NULL, "prompt_length" integer NOT NULL, "response_length" integer NOT NULL, "prompt_sha256" text NOT NULL, "response_sha256" text NOT NULL, "input_tokens" integer NOT NULL, "output_tokens" integer NOT NULL, "cached_input_tokens" integer NOT NULL, "reasoning_tokens" integer NOT NULL, "total_tokens" integer NOT NULL, "computed_cost" numeric(28,12), "computed_currency" text, "reported_cost" numeric(28,12), "reported_currency" text, "unpriced" boolean NOT NULL, "price_id" uuid, "latency_ms" integer NOT NULL, "time_to_first_token_ms" integer, "status" "ai_usage"."ai_interaction_status" NOT NULL, "error_message" text NOT NULL DEFAULT '', "conversation_id" text NOT NULL DEFAULT '', "trace_id" text NOT NULL DEFAULT '', "metadata" jsonb NOT NULL DEFAULT '{}', "started_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3d775287d9543a6d92d5151a31c" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_ai_interactions_status_started_at" ON "ai_usage"."ai_interactions"  ("status", "started_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_ai_interactions_provider_started_at" ON "ai_usage"."ai_interactions"  ("provider", "started_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_ai_interactions_model_started_at" ON "ai_usage"."ai_interactions"  ("model", "started_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_ai_interactions_module_started_at" ON "ai_usage"."ai_interactions"  ("module", "started_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_ai_interactions_user_started_at" ON "ai_usage"."ai_interactions"  ("user_id", "started_at", "id") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_ai_interactions_started_at_id" ON "ai_usage"."ai_interactions"  ("started_at", "id") `,
    );
    await runner.query(`CREATE TYPE "ai_usage"."ai_budget_scope" AS ENUM('user', 'module')`);

    await runner.query(
      `CREATE TABLE "ai_usage"."budgets" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "scope" "ai_usage"."ai_budget_scope" NOT NULL, "user_id" uuid, "module" "ai_usage"."ai_module", "amount" numeric(20,4) NOT NULL, "currency" text NOT NULL, "last_exceeded_period" text, "last_exceeded_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "PK_9c8a51748f82387644b773da482" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_budgets_module_currency" ON "ai_usage"."budgets"  ("module", "currency") WHERE "scope" = 'module'`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_budgets_user_currency" ON "ai_usage"."budgets"  ("user_id", "currency") WHERE "scope" = 'user'`,
    );
    await runner.query(
      `CREATE INDEX "IDX_budgets_created_at_id" ON "ai_usage"."budgets"  ("created_at", "id") `,
    );
    await runner.query(
      `CREATE TABLE "ai_usage"."budget_alerts" ("budget_id" uuid NOT NULL, "period" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4d6ce0d03690eb3a8a1086fd326" PRIMARY KEY ("budget_id", "period"))`,
    );
    await runner.query(
      `CREATE TABLE "ai_usage"."model_prices" ("id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, "deleted_at" TIMESTAMP(3) WITH TIME ZONE, "provider" text NOT NULL, "model" text NOT NULL, "input_price" numeric(20,6) NOT NULL, "output_price" numeric(20,6) NOT NULL, "cached_input_price" numeric(20,6), "reasoning_price" numeric(20,6), "currency" text NOT NULL, "effective_from" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_1409a57d11faf4496339c681f6e" PRIMARY KEY ("id"))`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX "UQ_model_prices_live" ON "ai_usage"."model_prices"  ("provider", "model", "effective_from") WHERE "deleted_at" IS NULL`,
    );
    await runner.query(
      `CREATE INDEX "IDX_model_prices_provider_model" ON "ai_usage"."model_prices"  ("provider", "model", "effective_from") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_model_prices_effective_from_id" ON "ai_usage"."model_prices"  ("effective_from", "id") `,
    );

    await runner.query(
      `CREATE TABLE "ai_usage"."usage_daily" ("day" date NOT NULL, "user_id" uuid NOT NULL, "module" "ai_usage"."ai_module" NOT NULL, "provider" text NOT NULL, "model" text NOT NULL, "currency" text NOT NULL, "interaction_count" bigint NOT NULL, "error_count" bigint NOT NULL, "unpriced_count" bigint NOT NULL, "input_tokens" bigint NOT NULL, "output_tokens" bigint NOT NULL, "cached_input_tokens" bigint NOT NULL, "reasoning_tokens" bigint NOT NULL, "total_tokens" bigint NOT NULL, "cost" numeric(28,12) NOT NULL, "latency_min" integer NOT NULL, "latency_max" integer NOT NULL, "latency_histogram" jsonb NOT NULL, CONSTRAINT "PK_d0177512cdc05e10e3dead3c5e3" PRIMARY KEY ("day", "user_id", "module", "provider", "model", "currency"))`,
    );
    await runner.query(
      `CREATE INDEX "IDX_usage_daily_module_day" ON "ai_usage"."usage_daily"  ("module", "day") `,
    );
    await runner.query(
      `CREATE INDEX "IDX_usage_daily_user_day" ON "ai_usage"."usage_daily"  ("user_id", "day") `,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."budget_alerts" ADD CONSTRAINT "FK_budget_alerts_budget" FOREIGN KEY ("budget_id") REFERENCES "ai_usage"."budgets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Rules TypeORM cannot express: a budget names exactly what its scope says,
    // and nothing negative is recorded or priced.
    await runner.query(
      `ALTER TABLE "ai_usage"."budgets" ADD CONSTRAINT "CHK_budgets_scope_target" CHECK ((scope = 'user' AND user_id IS NOT NULL AND module IS NULL) OR (scope = 'module' AND module IS NOT NULL AND user_id IS NULL))`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."budgets" ADD CONSTRAINT "CHK_budgets_amount" CHECK (amount > 0)`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."model_prices" ADD CONSTRAINT "CHK_model_prices_non_negative" CHECK (input_price >= 0 AND output_price >= 0 AND coalesce(cached_input_price, 0) >= 0 AND coalesce(reasoning_price, 0) >= 0)`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."ai_interactions" ADD CONSTRAINT "CHK_ai_interactions_tokens" CHECK (input_tokens >= cached_input_tokens AND cached_input_tokens >= 0 AND output_tokens >= reasoning_tokens AND reasoning_tokens >= 0 AND latency_ms >= 0)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "ai_usage"."ai_interactions" DROP CONSTRAINT "CHK_ai_interactions_tokens"`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."model_prices" DROP CONSTRAINT "CHK_model_prices_non_negative"`,
    );
    await runner.query(`ALTER TABLE "ai_usage"."budgets" DROP CONSTRAINT "CHK_budgets_amount"`);
    await runner.query(
      `ALTER TABLE "ai_usage"."budgets" DROP CONSTRAINT "CHK_budgets_scope_target"`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."budget_alerts" DROP CONSTRAINT "FK_budget_alerts_budget"`,
    );
    await runner.query(`DROP INDEX "ai_usage"."IDX_usage_daily_user_day"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_usage_daily_module_day"`);
    await runner.query(`DROP TABLE "ai_usage"."usage_daily"`);

    await runner.query(`DROP INDEX "ai_usage"."IDX_model_prices_effective_from_id"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_model_prices_provider_model"`);
    await runner.query(`DROP INDEX "ai_usage"."UQ_model_prices_live"`);
    await runner.query(`DROP TABLE "ai_usage"."model_prices"`);
    await runner.query(`DROP TABLE "ai_usage"."budget_alerts"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_budgets_created_at_id"`);
    await runner.query(`DROP INDEX "ai_usage"."UQ_budgets_user_currency"`);
    await runner.query(`DROP INDEX "ai_usage"."UQ_budgets_module_currency"`);
    await runner.query(`DROP TABLE "ai_usage"."budgets"`);

    await runner.query(`DROP TYPE "ai_usage"."ai_budget_scope"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_ai_interactions_started_at_id"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_ai_interactions_user_started_at"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_ai_interactions_module_started_at"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_ai_interactions_model_started_at"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_ai_interactions_provider_started_at"`);
    await runner.query(`DROP INDEX "ai_usage"."IDX_ai_interactions_status_started_at"`);
    await runner.query(`DROP TABLE "ai_usage"."ai_interactions"`);
    await runner.query(`DROP TYPE "ai_usage"."ai_interaction_status"`);
    await runner.query(`DROP TYPE "ai_usage"."ai_operation"`);
    await runner.query(`DROP TYPE "ai_usage"."ai_module"`);
  }
}
