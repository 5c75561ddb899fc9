import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSecurity, KafkaTopicSettings } from '@nexus/config';
import { kafkaLogCreator } from './kafka-log';
import {
  rememberTopicSettings,
  topicRequests,
  topicsOf,
  warnAboutExistingTopics,
} from './topic-settings';

export type { Kafka } from 'kafkajs';

/**
 * A kafkajs client whose own log lines go through the service's logger
 * (kafka-log.ts: the answers of a broker still setting up are debug).
 * `security` (KAFKA_SSL*, KAFKA_SASL_*): TLS to the brokers, whose
 * certificates must name the hosts in `brokers` and the ones they advertise,
 * and SASL (SCRAM or PLAIN) credentials; unset, plaintext without SASL.
 * `topics` (KAFKA_TOPIC_*): how ensureTopics creates topics through this
 * client; unset, 3 partitions and replication fitted to the cluster.
 */
export function createKafka(options: {
  brokers: string;
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
  topics?: KafkaTopicSettings;
}): Kafka {
  const kafka = new Kafka({
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
  if (options.topics) rememberTopicSettings(kafka, options.topics, options.logger);
  return kafka;
}

/**
 * Creates the topics that do not exist yet, as the client's settings say
 * (createKafka's `topics`: partitions, replication fitted to the live
 * brokers, min.insync.replicas, retention; `partitions` overrides the
 * count), and waits until each has a leader. A configured replication factor
 * above the brokers the cluster has is refused with an error naming both.
 * Topics that existed already are left as they are; a difference from the
 * settings is logged as a warning. Services start side by side and create
 * shared topics at the same moment, so a lost race (topic already exists,
 * partition not hosted yet) is retried until `timeoutMs`, and so is a
 * cluster short of brokers (one may be restarting).
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  partitions?: number,
  timeoutMs = 30_000,
): Promise<void> {
  if (topics.length === 0) return;
  const client = topicsOf(kafka);
  const count = partitions ?? client.settings.partitions;
  const admin = kafka.admin();
  await admin.connect();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const existed = await createMissingTopics(admin, topics, client.settings, count);
        await admin.fetchTopicMetadata({ topics: [...topics] });
        // Only a report: a failure here must not stop a service from starting.
        await warnAboutExistingTopics(admin, existed, client, count).catch(() => undefined);
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

/** Creates the topics that are missing; returns the ones that existed already. */
async function createMissingTopics(
  admin: Admin,
  topics: readonly string[],
  settings: KafkaTopicSettings,
  partitions: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: await topicRequests(admin, missing, settings, partitions),
    });
  }
  return topics.filter((topic) => existing.has(topic));
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
