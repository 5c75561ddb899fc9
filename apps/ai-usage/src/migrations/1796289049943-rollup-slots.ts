import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RollupSlots1796289049943 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE "ai_usage"."usage_daily" ADD "slot" smallint NOT NULL DEFAULT '0'`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."usage_daily" DROP CONSTRAINT "PK_d0177512cdc05e10e3dead3c5e3"`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."usage_daily" ADD CONSTRAINT "PK_b2fbb9a213165c9bdf7a71f7c56" PRIMARY KEY ("day", "user_id", "module", "provider", "model", "currency", "slot")`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    // The old key has no slot: fold each key's slots into slot 0 first
    // (sums, min/max, histograms merged bucket by bucket), or the old
    // primary key cannot be restored.
    await runner.query(`CREATE TEMP TABLE "usage_daily_folded" AS
      SELECT day, user_id, module, provider, model, currency,
             sum(interaction_count) AS interaction_count, sum(error_count) AS error_count,
             sum(unpriced_count) AS unpriced_count, sum(input_tokens) AS input_tokens,
             sum(output_tokens) AS output_tokens, sum(cached_input_tokens) AS cached_input_tokens,
             sum(reasoning_tokens) AS reasoning_tokens, sum(total_tokens) AS total_tokens,
             sum(cost) AS cost, min(latency_min) AS latency_min, max(latency_max) AS latency_max,
             (SELECT jsonb_object_agg(bucket, n)
                FROM (SELECT h.bucket, sum(h.n::bigint) AS n
                        FROM unnest(array_agg(latency_histogram)) AS x(histogram),
                             jsonb_each_text(x.histogram) AS h(bucket, n)
                       GROUP BY h.bucket) AS merged) AS latency_histogram
        FROM "ai_usage"."usage_daily"
       GROUP BY day, user_id, module, provider, model, currency
      HAVING count(*) > 1`);
    await runner.query(`DELETE FROM "ai_usage"."usage_daily" u USING "usage_daily_folded" f
      WHERE (u.day, u.user_id, u.module, u.provider, u.model, u.currency)
          = (f.day, f.user_id, f.module, f.provider, f.model, f.currency)`);
    await runner.query(`INSERT INTO "ai_usage"."usage_daily"
      (day, user_id, module, provider, model, currency, interaction_count, error_count,
       unpriced_count, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens,
       total_tokens, cost, latency_min, latency_max, latency_histogram, slot)
      SELECT day, user_id, module, provider, model, currency, interaction_count, error_count,
             unpriced_count, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens,
             total_tokens, cost, latency_min, latency_max, latency_histogram, 0
        FROM "usage_daily_folded"`);
    await runner.query(`DROP TABLE "usage_daily_folded"`);
    await runner.query(
      `ALTER TABLE "ai_usage"."usage_daily" DROP CONSTRAINT "PK_b2fbb9a213165c9bdf7a71f7c56"`,
    );
    await runner.query(
      `ALTER TABLE "ai_usage"."usage_daily" ADD CONSTRAINT "PK_d0177512cdc05e10e3dead3c5e3" PRIMARY KEY ("day", "user_id", "module", "provider", "model", "currency")`,
    );
    await runner.query(`ALTER TABLE "ai_usage"."usage_daily" DROP COLUMN "slot"`);
  }
}
