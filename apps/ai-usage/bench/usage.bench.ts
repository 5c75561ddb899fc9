/**
 * ai-usage benchmark: RecordInteraction and BatchRecordInteractions rates
 * through the gRPC service, then GetUsageSummary latency over a bulk-loaded
 * set of interactions, compared with percentile_cont over the raw table.
 *
 *   npx nx run ai-usage:bench                      # 200,000 rows (a few minutes on 2 cores)
 *   AI_USAGE_BENCH_ROWS=1000000 npx nx run ai-usage:bench
 *
 * Uses DATABASE_URL / KAFKA_BROKERS when set (in a fresh database of its
 * own), otherwise starts an ephemeral local stack.
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createPromiseClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { aiUsageV1 } from '@nexus/proto';
import { startService } from '@nexus/runtime';
import { startLocalStack } from '@nexus/stack';
import { signTestToken } from '@nexus/testing';
import { aiUsageService } from '../src/ai-usage.app';
import { aiUsageConfig } from '../src/config';

const ROWS = Number(process.env.AI_USAGE_BENCH_ROWS ?? 200_000);
const RECORDS = Number(process.env.AI_USAGE_BENCH_RECORDS ?? 2_000);
const BATCHES = Number(process.env.AI_USAGE_BENCH_BATCHES ?? 10);
const BATCH_SIZE = 500;
const CONCURRENCY = 8;
const USERS = 200;
const DAYS = 30;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await work();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'nexus-ai-usage-bench-'));
  const stack = await startLocalStack({
    dataDir,
    ephemeral: true,
    withPostgres: !process.env.DATABASE_URL,
    withKafka: !process.env.KAFKA_BROKERS,
  });
  const serverUrl = new URL(process.env.DATABASE_URL ?? stack.databaseUrl!);
  const database = `bench_ai_usage_${Date.now()}`;
  const admin = new Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  serverUrl.pathname = `/${database}`;

  const keys = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const config = aiUsageConfig({
    ...process.env,
    DATABASE_URL: serverUrl.toString(),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? stack.kafkaBrokers,
    JWT_PUBLIC_KEY: keys.publicKey,
    BIND_HOST: '127.0.0.1',
    AI_USAGE_GRPC_PORT: '0',
    AI_USAGE_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const service = await startService(aiUsageService(config), config.service);
  const address = `127.0.0.1:${service.grpcPort}`;
  const usage = createPromiseClient(aiUsageV1.AiUsageServiceService, { address });
  const prices = createPromiseClient(aiUsageV1.ModelPriceServiceService, { address });
  const token = (role: 'admin' | 'user', userId = uuidv7()) => ({
    token: signTestToken({ role, userId, key: keys.privateKey, expiresInMs: 3_600_000 }),
    userId,
  });
  const adminCaller = token('admin');
  const users = Array.from({ length: 50 }, () => token('user'));
  await prices.createModelPrice(
    {
      modelPrice: aiUsageV1.ModelPrice.fromPartial({
        provider: 'openai',
        model: 'gpt-4o*',
        inputPricePerMillion: '2.5',
        outputPricePerMillion: '10',
        cachedInputPricePerMillion: '1.25',
        currencyCode: 'USD',
        effectiveTime: new Date('2020-01-01T00:00:00Z'),
      }),
      requestId: '',
    },
    adminCaller,
  );
  const sample = (i: number) =>
    aiUsageV1.AiInteraction.fromPartial({
      module: aiUsageV1.Module.MODULE_CHAT,
      provider: 'openai',
      requestModel: 'gpt-4o',
      responseModel: 'gpt-4o-2024-08-06',
      operation: aiUsageV1.Operation.OPERATION_CHAT,
      prompt: `prompt ${i}`,
      response: `response ${i}`,
      inputTokens: 1000 + (i % 500),
      cachedInputTokens: 200,
      outputTokens: 300,
      latencyMs: 200 + (i % 1000),
      status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
    });

  console.log(
    `ai-usage benchmark: ${RECORDS} records, ${BATCHES}×${BATCH_SIZE} batched, ${ROWS} rows for summaries`,
  );
  let next = 0;
  const [, recordMs] = await timed(() =>
    Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < RECORDS) {
          const i = next++;
          await usage.recordInteraction(
            { interaction: sample(i), requestId: uuidv7() },
            users[i % users.length],
          );
        }
      }),
    ),
  );
  const recordRate = RECORDS / (recordMs / 1000);
  console.log(
    `RecordInteraction:        ${recordRate.toFixed(0)} interactions/s (${CONCURRENCY} concurrent callers)`,
  );

  const [, batchMs] = await timed(async () => {
    for (let b = 0; b < BATCHES; b += 1) {
      const caller = users[b % users.length];
      await usage.batchRecordInteractions(
        {
          requests: Array.from({ length: BATCH_SIZE }, (_, i) => ({
            interaction: sample(b * BATCH_SIZE + i),
            requestId: uuidv7(),
          })),
        },
        caller,
      );
    }
  });
  const batchRate = (BATCHES * BATCH_SIZE) / (batchMs / 1000);
  console.log(
    `BatchRecordInteractions:  ${batchRate.toFixed(0)} interactions/s (batches of ${BATCH_SIZE}); ${(batchRate / recordRate).toFixed(1)}× single records`,
  );

  // Bulk load straight into the tables (setup, not measured): each user works
  // in three (module, model) combinations, as people do, over 30 days of 2024.
  const db = new Client({ connectionString: serverUrl.toString() });
  await db.connect();
  const [, loadMs] = await timed(async () => {
    await db.query(
      `INSERT INTO ai_usage.ai_interactions
         (id, version, user_id, module, provider, request_model, response_model, model, operation,
          prompt_captured, prompt_length, response_length, prompt_sha256, response_sha256,
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
      [ROWS, DAYS, USERS],
    );
    // The rollup rows those interactions would have produced, histograms included.
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
    await db.query(
      `SELECT count(*)::int AS rollups FROM ai_usage.usage_daily WHERE day < '2025-01-01'`,
    )
  ).rows as [{ rollups: number }];
  console.log(
    `bulk load:                ${ROWS} interactions, ${rollups} rollup rows (${(ROWS / rollups).toFixed(1)} interactions per row) in ${(loadMs / 1000).toFixed(1)} s`,
  );
  console.log(
    'strategy:                 rollup table usage_daily (day × user × module × provider × model × currency) maintained in the recording transaction; latency percentiles from merged log-bucket histograms',
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
  let byModelMs = 0;
  for (const [label, groupBy] of groupings) {
    const runs: number[] = [];
    let rows = 0;
    for (let run = 0; run < 5; run += 1) {
      const [summary, ms] = await timed(() =>
        usage.getUsageSummary(
          aiUsageV1.GetUsageSummaryRequest.fromPartial({ ...range, groupBy }),
          adminCaller,
        ),
      );
      runs.push(ms);
      rows = summary.rows.length;
    }
    if (label === 'by model') byModelMs = median(runs);
    console.log(
      `GetUsageSummary ${label.padEnd(17)} ${median(runs).toFixed(1).padStart(8)} ms median of 5 (${rows} rows)`,
    );
  }
  const rawRuns: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const [, ms] = await timed(() =>
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
  console.log(
    `raw table, by model:      ${median(rawRuns).toFixed(1).padStart(8)} ms median of 3 (percentile_cont over every row, no rollup)`,
  );
  console.log(`rollup vs raw:            ${(median(rawRuns) / byModelMs).toFixed(1)}× faster`);

  await db.end();
  usage.close();
  prices.close();
  await service.stop();
  const cleanup = new Client({ connectionString: process.env.DATABASE_URL ?? stack.databaseUrl! });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS "${database}"`);
  await cleanup.end();
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
