import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

export type { Kafka } from 'kafkajs';

/** A kafkajs client whose own log lines go through the service's logger. */
export function createKafka(options: { brokers: string; clientId: string; logger: Logger }): Kafka {
  const log = options.logger.child({ component: 'kafka' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers.split(','),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.warn(rest, message);
        else log.debug(rest, message);
      },
  });
}

/** Creates the topics that do not exist yet (3 partitions, keyed by aggregate id). */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  partitions = 3,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: -1,
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Whether the cluster answers a metadata request now (for readiness reports). */
export async function kafkaReachable(kafka: Kafka): Promise<{ ok: boolean; detail?: string }> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { ok: true, detail: `${cluster.brokers.length} broker(s)` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
