import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSecurity } from '@nexus/config';
import { kafkaLogCreator } from './kafka-log';

export type { Kafka } from 'kafkajs';

/**
 * A kafkajs client whose own log lines go through the service's logger
 * (kafka-log.ts: the answers of a broker still setting up are debug).
 * `security` (KAFKA_SSL*, KAFKA_SASL_*): TLS to the brokers, whose
 * certificates must name the hosts in `brokers` and the ones they advertise,
 * and SASL (SCRAM or PLAIN) credentials; unset, plaintext without SASL.
 */
export function createKafka(options: {
  brokers: string;
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers.split(','),
    ssl: options.security?.ssl,
    sasl: options.security?.sasl,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
  });
}

/**
 * Creates the topics that do not exist yet (3 partitions, keyed by aggregate
 * id) and waits until each has a leader. Services start side by side and
 * create shared topics at the same moment, so a lost race (topic already
 * exists, partition not hosted yet) is retried until `timeoutMs`.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  partitions = 3,
  timeoutMs = 30_000,
): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await createMissingTopics(admin, topics, partitions);
        await admin.fetchTopicMetadata({ topics: [...topics] });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw withTopicErrors(error);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

async function createMissingTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
  });
}

/**
 * kafkajs' "Topic creation errors" names neither topic nor reason (and its
 * log line is debug during start-up, kafka-log.ts): the error that ends
 * ensureTopics names each.
 */
export function withTopicErrors(error: unknown): unknown {
  const parts = (error as { errors?: unknown }).errors;
  if (!(error instanceof Error) || !Array.isArray(parts)) return error;
  const details = parts.map((part: { topic?: unknown; message?: unknown }) =>
    typeof part.topic === 'string'
      ? `${part.topic}: ${String(part.message)}`
      : String(part.message),
  );
  return new Error(`${error.message}: ${details.join('; ')}`, { cause: error });
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
