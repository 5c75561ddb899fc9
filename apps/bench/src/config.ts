import { z } from 'zod';
import { envBoolean, envInt, loadConfig } from '@nexus/config';

/**
 * The benchmark's sizes. BENCH_FULL=1 switches every size to the full
 * size at once, BENCH_QUICK=1 to a short run that only shows it works end to
 * end (its figures mean little), and each size can also be set on its own.
 */
const benchEnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  KAFKA_BROKERS: z.string().optional(),
  BENCH_FULL: envBoolean(false),
  BENCH_QUICK: envBoolean(false),
  BENCH_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
  BENCH_SECONDS: z.coerce.number().min(1).max(600).optional(),
  BENCH_ROUNDS: z.coerce.number().int().min(3).max(15).optional(),
  BENCH_RELAY_EVENTS: z.coerce.number().int().min(1000).max(10_000_000).optional(),
  BENCH_LATENCY_RATE: z.coerce.number().int().min(1).max(10_000).optional(),
  BENCH_LATENCY_SECONDS: z.coerce.number().min(1).max(600).optional(),
  BENCH_LIST_ROWS: z.coerce.number().int().min(10_000).max(50_000_000).optional(),
  BENCH_SUSTAINED_SECONDS: z.coerce.number().min(1).max(3600).optional(),
  BENCH_DRAIN_TARGET_SECONDS: z.coerce.number().min(0).max(600).default(5),
  BENCH_EVENTS: z.coerce.number().int().min(100).max(100_000_000).optional(),
  BENCH_SERVICE_BENCHES: envBoolean(true),
  BENCH_PROFILE: envBoolean(true),
  BENCH_OUTPUT: z.string().default('docs/performance.md'),
  BENCH_DEPTH_PERCENT: envInt(90, 1, 99),
});

export interface BenchConfig {
  databaseUrl?: string;
  kafkaBrokers?: string;
  full: boolean;
  quick: boolean;
  /** Concurrent callers of every throughput measurement. */
  concurrency: number;
  /** Measured seconds of each throughput measurement (after a warm-up of a fifth of it). */
  seconds: number;
  /** Rounds of G, P and the services, measured alternately; each ratio is their median. */
  rounds: number;
  /** Seconds every service writes at once, with analytics consuming. */
  sustainedSeconds: number;
  /** Analytics must have caught up this soon after that load stops. */
  drainTargetSeconds: number;
  /** Events the analytics replay bench replays (BENCH_EVENTS of its script). */
  analyticsEvents: number;
  /** Run the services' own bench scripts (ai-usage, analytics). */
  serviceBenches: boolean;
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
  const quick = !full && parsed.BENCH_QUICK;
  const size = <T>(fullSize: T, defaultSize: T, quickSize: T): T =>
    full ? fullSize : quick ? quickSize : defaultSize;
  return {
    databaseUrl: parsed.DATABASE_URL || undefined,
    kafkaBrokers: parsed.KAFKA_BROKERS || undefined,
    full,
    quick,
    concurrency: parsed.BENCH_CONCURRENCY ?? 16,
    seconds: parsed.BENCH_SECONDS ?? size(30, 6, 2),
    rounds: parsed.BENCH_ROUNDS ?? 3,
    sustainedSeconds: parsed.BENCH_SUSTAINED_SECONDS ?? size(60, 60, 10),
    drainTargetSeconds: parsed.BENCH_DRAIN_TARGET_SECONDS,
    analyticsEvents: parsed.BENCH_EVENTS ?? size(1_000_000, 100_000, 5_000),
    serviceBenches: parsed.BENCH_SERVICE_BENCHES,
    relayEvents: parsed.BENCH_RELAY_EVENTS ?? size(200_000, 20_000, 5_000),
    latencyRate: parsed.BENCH_LATENCY_RATE ?? 200,
    latencySeconds: parsed.BENCH_LATENCY_SECONDS ?? size(60, 10, 3),
    listRows: parsed.BENCH_LIST_ROWS ?? size(1_000_000, 200_000, 20_000),
    depthPercent: parsed.BENCH_DEPTH_PERCENT,
    profile: parsed.BENCH_PROFILE,
    output: parsed.BENCH_OUTPUT,
  };
}
