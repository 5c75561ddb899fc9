import type { Client } from 'pg';
import type { PromiseClient } from '@nexus/clients';
import { medianOfRounds, timed } from '@nexus/testing';
import { aiUsageV1 } from '@nexus/proto';

const USERS = 200;
const DAYS = 30;

/**
 * GetUsageSummary latency over `rows` bulk-loaded interactions (200 users,
 * 30 days of 2024, each user in three (module, model) combinations, and the
 * rollup rows they would have produced), for several groupings, and the same
 * by-model summary computed with percentile_cont over the raw table. Returns
 * the markdown section.
 */
export async function measureSummaries(options: {
  db: Client;
  usage: PromiseClient<typeof aiUsageV1.AiUsageServiceService>;
  adminCaller: { token: string };
  rows: number;
  log: (line: string) => void;
}): Promise<string> {
  const { db, usage, adminCaller, rows, log } = options;
  // Bulk load straight into the tables (setup, not measured).
  const [loadMs] = await timed(async () => {
    await db.query(
      `INSERT INTO ai_usage.ai_interactions
         (id, version, user_id, module, provider, request_model, response_model, model, operation,
          prompt_captured, prompt_length, response_length, prompt_hmac, response_hmac,
          input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, total_tokens,
          computed_cost, computed_currency, unpriced, latency_ms, status, started_at)
       SELECT gen_random_uuid(), 1, u.id, m.module::ai_usage.ai_module, m.provider, m.model, '', m.model,
              'chat', false, 100, 200, '', '', t.input, t.output, 0, 0, t.input + t.output,
              (t.input * 2.5 + t.output * 10) / 1000000, 'USD', false, t.latency,
              CASE WHEN g % 50 = 0 THEN 'error' ELSE 'success' END::ai_usage.ai_interaction_status,
              timestamptz '2024-01-01 00:00:00+00' + ((g::bigint * 7919) % ($2 * 86400)) * interval '1 second'
         FROM generate_series(1, $1) AS g
        CROSS JOIN LATERAL (SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g % $3), 12, '0'))::uuid AS id) u
        CROSS JOIN LATERAL (
          SELECT (ARRAY['documents','email','chat','projects','tasks','files','other'])[1 + ((g % $3) + (g / $3) % 3) % 7] AS module,
                 (ARRAY['openai','openai','openai','anthropic','anthropic','google','google','mistral'])[1 + ((g % $3) * 3 + (g / $3) % 3) % 8] AS provider,
                 (ARRAY['gpt-4o','gpt-4o-mini','o3','claude-sonnet','claude-haiku','gemini-pro','gemini-flash','mistral-large'])[1 + ((g % $3) * 3 + (g / $3) % 3) % 8] AS model
        ) m
        CROSS JOIN LATERAL (SELECT 200 + (g * 31) % 3000 AS input, 50 + (g * 17) % 800 AS output,
                                   (40 + (g * 2654435761) % 4000)::int AS latency) t`,
      [rows, DAYS, USERS],
    );
    // The rollup rows those interactions would have produced (one slot each), histograms included.
    await db.query(
      `INSERT INTO ai_usage.usage_daily
         (day, user_id, module, provider, model, currency, interaction_count, error_count,
          unpriced_count, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens,
          total_tokens, cost, latency_min, latency_max, latency_histogram)
       SELECT day, user_id, module, provider, model, 'USD', sum(n), sum(errors), 0, sum(input),
              sum(output), 0, 0, sum(total), sum(cost), min(lmin), max(lmax),
              jsonb_object_agg(bucket, n)
         FROM (SELECT (started_at AT TIME ZONE 'UTC')::date AS day, user_id, module, provider, model,
                      CASE WHEN latency_ms < 1 THEN 0
                           ELSE 1 + floor(ln(latency_ms) / ln(1.1) + 1e-9)::int END AS bucket,
                      count(*) AS n, count(*) FILTER (WHERE status = 'error') AS errors,
                      sum(input_tokens) AS input, sum(output_tokens) AS output,
                      sum(total_tokens) AS total, sum(computed_cost) AS cost,
                      min(latency_ms) AS lmin, max(latency_ms) AS lmax
                 FROM ai_usage.ai_interactions
                WHERE started_at < '2025-01-01'
                GROUP BY 1, 2, 3, 4, 5, 6) AS per_bucket
        GROUP BY day, user_id, module, provider, model`,
    );
    await db.query('ANALYZE ai_usage.ai_interactions; ANALYZE ai_usage.usage_daily');
  });
  const [{ rollups }] = (
    await db.query<{ rollups: number }>(
      `SELECT count(*)::int AS rollups FROM ai_usage.usage_daily WHERE day < '2025-01-01'`,
    )
  ).rows;
  log(
    `bulk load: ${rows} interactions, ${rollups} rollup rows (${(rows / rollups).toFixed(1)} ` +
      `interactions per row) in ${(loadMs / 1000).toFixed(1)} s`,
  );

  const D = aiUsageV1.UsageDimension;
  const range = {
    startTime: new Date('2024-01-01T00:00:00Z'),
    endTime: new Date(`2024-01-${DAYS + 1}T00:00:00Z`),
  };
  const groupings: [string, aiUsageV1.UsageDimension[]][] = [
    ['everything', []],
    ['by model', [D.USAGE_DIMENSION_MODEL]],
    ['by day', [D.USAGE_DIMENSION_DAY]],
    ['by module, model', [D.USAGE_DIMENSION_MODULE, D.USAGE_DIMENSION_MODEL]],
    ['by user', [D.USAGE_DIMENSION_USER]],
    ['by user, day', [D.USAGE_DIMENSION_USER, D.USAGE_DIMENSION_DAY]],
  ];
  const table = [
    '| GetUsageSummary | median of 5 (ms) | min..max | rows out |',
    '| --- | --- | --- | --- |',
  ];
  let byModelMs = 0;
  for (const [label, groupBy] of groupings) {
    const runs: number[] = [];
    let rowsOut = 0;
    for (let run = 0; run < 5; run += 1) {
      const [ms, summary] = await timed(() =>
        usage.getUsageSummary(
          aiUsageV1.GetUsageSummaryRequest.fromPartial({ ...range, groupBy }),
          adminCaller,
        ),
      );
      runs.push(ms);
      rowsOut = summary.rows.length;
    }
    const stats = medianOfRounds(runs);
    if (label === 'by model') byModelMs = stats.median;
    table.push(
      `| ${label} | ${stats.median.toFixed(1)} | ${stats.min.toFixed(1)}..${stats.max.toFixed(1)} | ${rowsOut} |`,
    );
    log(
      `GetUsageSummary ${label.padEnd(17)} ${stats.median.toFixed(1).padStart(8)} ms median of 5 (${rowsOut} rows)`,
    );
  }
  const rawRuns: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const [ms] = await timed(() =>
      db.query(
        `SELECT model, count(*), sum(input_tokens), sum(output_tokens), sum(computed_cost),
                avg((status = 'error')::int),
                percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms)
           FROM ai_usage.ai_interactions
          WHERE started_at >= $1 AND started_at < $2
          GROUP BY model`,
        [range.startTime, range.endTime],
      ),
    );
    rawRuns.push(ms);
  }
  const raw = medianOfRounds(rawRuns);
  log(
    `raw table, by model: ${raw.median.toFixed(1)} ms median of 3 (percentile_cont over every row)`,
  );
  log(`rollup vs raw: ${(raw.median / byModelMs).toFixed(1)}× faster`);
  return [
    '',
    '## ai-usage: usage summaries',
    '',
    `${rows.toLocaleString('en-US')} bulk-loaded interactions of ${USERS} users over ${DAYS} days, ${rollups.toLocaleString('en-US')} rollup rows; GetUsageSummary reads only the rollup.`,
    '',
    ...table,
    '',
    `The same by-model summary from the raw table with percentile_cont: ${raw.median.toFixed(1)} ms (median of 3); the rollup is ${(raw.median / byModelMs).toFixed(1)}× faster.`,
    '',
  ].join('\n');
}
