import { z } from 'zod';
import { envBoolean, envInt, loadConfig } from '@nexus/config';

/**
 * The benchmark's sizes. Defaults finish in about five minutes on two cores;
 * BENCH_FULL=1 switches every size to the full size at once, and each
 * size can also be set on its own.
 */
const benchEnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  KAFKA_BROKERS: z.string().optional(),
  BENCH_FULL: envBoolean(false),
  BENCH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  BENCH_SECONDS: z.coerce.number().min(1).max(600).optional(),
  BENCH_ROUNDS: z.coerce.number().int().min(1).max(10).optional(),
  BENCH_RELAY_EVENTS: z.coerce.number().int().min(1000).max(10_000_000).optional(),
  BENCH_LATENCY_RATE: z.coerce.number().int().min(1).max(10_000).optional(),
  BENCH_LATENCY_SECONDS: z.coerce.number().min(1).max(600).optional(),
  BENCH_LIST_ROWS: z.coerce.number().int().min(10_000).max(50_000_000).optional(),
  BENCH_PROFILE: envBoolean(true),
  BENCH_OUTPUT: z.string().default('docs/performance.md'),
  BENCH_DEPTH_PERCENT: envInt(90, 1, 99),
});

export interface BenchConfig {
  databaseUrl?: string;
  kafkaBrokers?: string;
  full: boolean;
  /** Concurrent callers of every throughput measurement. */
  concurrency: number;
  /** Measured seconds of each throughput measurement (after a warm-up of a fifth of it). */
  seconds: number;
  /** Rounds of G, P and the service, measured alternately; each figure is its best round. */
  rounds: number;
  relayEvents: number;
  latencyRate: number;
  latencySeconds: number;
  listRows: number;
  /** How deep (percent of the rows) the deep ListUsers page is. */
  depthPercent: number;
  /** Profile the users service with --cpu-prof where a target is missed. */
  profile: boolean;
  output: string;
}

export function benchConfig(env: Record<string, string | undefined> = process.env): BenchConfig {
  const parsed = loadConfig(benchEnvSchema, env);
  const full = parsed.BENCH_FULL;
  return {
    databaseUrl: parsed.DATABASE_URL || undefined,
    kafkaBrokers: parsed.KAFKA_BROKERS || undefined,
    full,
    concurrency: parsed.BENCH_CONCURRENCY ?? 16,
    seconds: parsed.BENCH_SECONDS ?? (full ? 30 : 6),
    rounds: parsed.BENCH_ROUNDS ?? (full ? 3 : 2),
    relayEvents: parsed.BENCH_RELAY_EVENTS ?? (full ? 200_000 : 20_000),
    latencyRate: parsed.BENCH_LATENCY_RATE ?? 200,
    latencySeconds: parsed.BENCH_LATENCY_SECONDS ?? (full ? 60 : 10),
    listRows: parsed.BENCH_LIST_ROWS ?? (full ? 1_000_000 : 200_000),
    depthPercent: parsed.BENCH_DEPTH_PERCENT,
    profile: parsed.BENCH_PROFILE,
    output: parsed.BENCH_OUTPUT,
  };
}
