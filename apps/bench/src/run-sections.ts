import { type createKafka } from '@nexus/events';
import type { Logger } from '@nexus/ops';
import type { BenchConfig } from './config';
import { startGroupAtEnd } from './consumer-lag';
import { measureLatency, type LatencyFigures } from './latency-bench';
import { measureListPaging, type ListFigures } from './list-bench';
import { bulkLoadUsers } from './raw-postgres';
import { createBenchSchema, measureRelay, type RelayFigures } from './relay-bench';
import type { SeededCall } from './rounds';
import type { SeedContext } from './scenario';
import { MAIN_WRITES, SUSTAINED_ONLY } from './scenarios';
import { startPlatform, type ServiceName } from './services';
import { formatNumber } from './stats';
import { measureSustainedLoad, type SustainedFigures } from './sustained-load';

/** A section of the run that failed: its rows are reported as not measured, with the reason. */
export interface SectionFailure {
  section: string;
  error: string;
}

/** Runs a section; a failure is logged and recorded, and the run goes on. */
export function guarded(failures: SectionFailure[], log: (line: string) => void) {
  return async <T>(section: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${section} failed: ${message}`);
      failures.push({ section, error: message });
      return undefined;
    }
  };
}

export interface SectionContext {
  env: Record<string, string>;
  token: string;
  /** The services the rounds measure. */
  measured: ServiceName[];
  databaseUrl: string;
  kafka: ReturnType<typeof createKafka>;
  logger: Logger;
  config: BenchConfig;
  tag: string;
  log: (line: string) => void;
}

/** Every service's main write at once, analytics consuming, and the drain time after it. */
export async function measureSustainedSection(
  x: SectionContext & { calls: readonly SeededCall[]; seedContext: SeedContext },
): Promise<SustainedFigures> {
  const { config, log, tag } = x;
  log(
    `sustained load: every main write at once for ${config.sustainedSeconds} s, analytics consuming`,
  );
  const groupId = `nexus-analytics-bench-${tag}`;
  const admin = x.kafka.admin();
  await admin.connect();
  await startGroupAtEnd(admin, groupId).finally(() => admin.disconnect());
  const platform = await startPlatform(x.env, x.token, [...x.measured, 'ai-usage', 'analytics'], {
    analytics: { ANALYTICS_CONSUMER_GROUP: groupId },
  });
  try {
    const writes = x.calls.filter((call) => MAIN_WRITES.includes(call.scenario.name));
    for (const scenario of SUSTAINED_ONLY) {
      const run = await scenario.seed({ ...x.seedContext, clients: platform.clients });
      const { request, reply } = await run.sample(platform.clients, `${tag}x`);
      writes.push({ scenario, run, request, reply });
    }
    const sustained = await measureSustainedLoad({
      platform,
      writes,
      kafka: x.kafka,
      groupId,
      databaseUrl: x.databaseUrl,
      concurrency: config.concurrency,
      seconds: config.sustainedSeconds,
      tag,
      drainLimitSeconds: Math.max(60, config.drainTargetSeconds * 4),
      log,
    });
    log(
      `  drained in ${sustained.drainSeconds.toFixed(2)} s (peak backlog ${sustained.peakBacklog})`,
    );
    return sustained;
  } finally {
    await platform.stop();
  }
}

/** The kit relay against a raw drain, then commit-to-consumer latency, NOTIFY and polling. */
export async function measureRelaySection(
  x: SectionContext,
): Promise<{ relay: RelayFigures; latency: LatencyFigures[] }> {
  const { databaseUrl, kafka, logger, config, log, tag } = x;
  const dataSource = await createBenchSchema(databaseUrl);
  try {
    log('outbox relay');
    const relay = await measureRelay({
      databaseUrl,
      kafka,
      logger,
      events: config.relayEvents,
      log,
    });
    const latency: LatencyFigures[] = [];
    for (const mode of ['notify', 'poll-500ms'] as const) {
      latency.push(
        await measureLatency({
          dataSource,
          databaseUrl,
          kafka,
          logger,
          mode,
          ratePerSecond: config.latencyRate,
          seconds: config.latencySeconds,
          tag,
          log,
        }),
      );
    }
    return { relay, latency };
  } finally {
    await dataSource.destroy();
  }
}

/** Keyset paging deep into a bulk-loaded users table against OFFSET. */
export async function measureListSection(x: SectionContext): Promise<ListFigures> {
  const { config, log } = x;
  log(`list paging: loading ${formatNumber(config.listRows)} users`);
  await bulkLoadUsers(x.databaseUrl, config.listRows, (done) =>
    log(`  ${formatNumber(done)} rows`),
  );
  const platform = await startPlatform(x.env, x.token, []);
  try {
    return await measureListPaging({
      client: platform.clients.users,
      databaseUrl: x.databaseUrl,
      rows: config.listRows,
      depthRows: Math.floor((config.listRows * config.depthPercent) / 100),
      log,
    });
  } finally {
    await platform.stop();
  }
}
