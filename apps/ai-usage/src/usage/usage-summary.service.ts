import type { DataSource } from 'typeorm';
import { normalizeDecimal, type Principal } from '@nexus/core';
import { readableUser } from '../interactions/interaction-access';
import type { Module } from '../interactions/interaction.entity';
import { percentile, type Histogram } from './latency-histogram';
import { utcDay } from './rollup';

export type Dimension = 'user' | 'module' | 'provider' | 'model' | 'day';

/** The rollup column of each dimension: a closed map, so no caller text reaches SQL. */
const DIMENSION_SQL: Record<Dimension, string> = {
  user: 'user_id::text',
  module: 'module::text',
  provider: 'provider',
  model: 'model',
  day: `to_char(day, 'YYYY-MM-DD')`,
};

export interface SummaryQuery {
  startTime: Date;
  endTime: Date;
  groupBy: Dimension[];
  userId?: string;
  module?: Module;
  provider: string;
  model: string;
}

export interface SummaryRow {
  dimensions: Partial<Record<Dimension, string>>;
  interactionCount: bigint;
  errorCount: bigint;
  unpricedCount: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  cachedInputTokens: bigint;
  reasoningTokens: bigint;
  totalTokens: bigint;
  /** currency -> decimal amount */
  costs: Map<string, string>;
  latency: { p50: number; p95: number; p99: number } | null;
}

export interface Summary {
  startDay: string;
  endDay: string;
  rows: SummaryRow[];
}

const DAY_MS = 86_400_000;

/** [first day, day after the last) covering the time range in whole UTC days. */
export function wholeDays(startTime: Date, endTime: Date): [string, string] {
  const endDay = new Date(Math.ceil(endTime.getTime() / DAY_MS) * DAY_MS);
  return [utcDay(startTime), utcDay(endDay)];
}

interface TotalsRow {
  currency: string;
  n: string;
  errors: string;
  unpriced: string;
  input: string;
  output: string;
  cached: string;
  reasoning: string;
  total: string;
  cost: string;
  lmin: number;
  lmax: number;
  [dimension: string]: string | number;
}

/**
 * GetUsageSummary, read from the daily rollup only (never the raw
 * interactions): its cost grows with the number of rollup rows in the
 * range, not with the number of interactions.
 */
export class UsageSummaryService {
  constructor(private readonly dataSource: DataSource) {}

  async summarize(caller: Principal, query: SummaryQuery): Promise<Summary> {
    const userId = readableUser(caller, query.userId);
    const [startDay, endDay] = wholeDays(query.startTime, query.endTime);
    const params: unknown[] = [startDay, endDay];
    const where = ['day >= $1::date', 'day < $2::date'];
    const bind = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (userId) bind((p) => `user_id = ${p}::uuid`, userId);
    if (query.module) bind((p) => `module = ${p}::"ai_usage"."ai_module"`, query.module);
    if (query.provider) bind((p) => `provider = ${p}`, query.provider);
    if (query.model) bind((p) => `model = ${p}`, query.model);
    const dims = query.groupBy.map((dimension, i) => `${DIMENSION_SQL[dimension]} AS d${i}`);
    const groupKeys = query.groupBy.map((_, i) => `d${i}`);
    const filter = where.join(' AND ');

    // One snapshot for both reads, so totals and percentiles describe the same rows.
    const [totals, buckets] = await this.dataSource.transaction(
      'REPEATABLE READ',
      async (manager) =>
        [
          await manager.query<TotalsRow[]>(
            `SELECT ${[...dims, 'currency'].join(', ')},
                  sum(interaction_count)::text AS n, sum(error_count)::text AS errors,
                  sum(unpriced_count)::text AS unpriced, sum(input_tokens)::text AS input,
                  sum(output_tokens)::text AS output, sum(cached_input_tokens)::text AS cached,
                  sum(reasoning_tokens)::text AS reasoning, sum(total_tokens)::text AS total,
                  sum(cost)::text AS cost, min(latency_min) AS lmin, max(latency_max) AS lmax
             FROM "ai_usage"."usage_daily"
            WHERE ${filter}
            GROUP BY ${[...groupKeys, 'currency'].join(', ')}`,
            params,
          ),
          await manager.query<({ bucket: number; n: string } & Record<string, string>)[]>(
            `SELECT ${[...dims, 'h.bucket::int AS bucket'].join(', ')}, sum(h.n::bigint)::text AS n
             FROM "ai_usage"."usage_daily", jsonb_each_text(latency_histogram) AS h(bucket, n)
            WHERE ${filter}
            GROUP BY ${[...groupKeys, 'h.bucket'].join(', ')}`,
            params,
          ),
        ] as const,
    );

    const groups = new Map<
      string,
      SummaryRow & { histogram: Histogram; min: number; max: number }
    >();
    const keyOf = (row: object) =>
      JSON.stringify(groupKeys.map((key) => (row as Record<string, unknown>)[key]));
    for (const row of totals) {
      const key = keyOf(row);
      let group = groups.get(key);
      if (!group) {
        group = {
          dimensions: Object.fromEntries(query.groupBy.map((d, i) => [d, row[`d${i}`]])),
          interactionCount: 0n,
          errorCount: 0n,
          unpricedCount: 0n,
          inputTokens: 0n,
          outputTokens: 0n,
          cachedInputTokens: 0n,
          reasoningTokens: 0n,
          totalTokens: 0n,
          costs: new Map(),
          latency: null,
          histogram: new Map(),
          min: row.lmin,
          max: row.lmax,
        };
        groups.set(key, group);
      }
      group.interactionCount += BigInt(row.n);
      group.errorCount += BigInt(row.errors);
      group.unpricedCount += BigInt(row.unpriced);
      group.inputTokens += BigInt(row.input);
      group.outputTokens += BigInt(row.output);
      group.cachedInputTokens += BigInt(row.cached);
      group.reasoningTokens += BigInt(row.reasoning);
      group.totalTokens += BigInt(row.total);
      if (row.currency) group.costs.set(row.currency, normalizeDecimal(row.cost));
      group.min = Math.min(group.min, row.lmin);
      group.max = Math.max(group.max, row.lmax);
    }
    for (const row of buckets) {
      groups.get(keyOf(row))?.histogram.set(row.bucket, Number(row.n));
    }
    const rows = [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, { histogram, min, max, ...row }]) => {
        const observed = { min, max };
        const at = (p: number) => percentile(histogram, p, observed) ?? 0;
        return {
          ...row,
          latency: histogram.size ? { p50: at(0.5), p95: at(0.95), p99: at(0.99) } : null,
        };
      });
    return { startDay, endDay, rows };
  }
}
