import { ConfigResourceTypes, type Admin, type ITopicConfig, type Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { fitReplication, type KafkaTopicSettings } from '@nexus/config';

interface ClientTopics {
  settings: KafkaTopicSettings;
  logger?: Logger;
  /** Existing topics already compared with the settings (one warning per process). */
  checked: Set<string>;
}

/** KAFKA_TOPIC_PARTITIONS' default, for a client made without settings (tests, tools). */
const DEFAULTS: KafkaTopicSettings = { partitions: 3 };

const byClient = new WeakMap<Kafka, ClientTopics>();

/** What ensureTopics creates through `kafka` (createKafka's `topics`). */
export function rememberTopicSettings(
  kafka: Kafka,
  settings: KafkaTopicSettings,
  logger: Logger,
): void {
  byClient.set(kafka, { settings, logger, checked: new Set() });
}

export function topicsOf(kafka: Kafka): ClientTopics {
  let entry = byClient.get(kafka);
  if (!entry) {
    entry = { settings: DEFAULTS, checked: new Set() };
    byClient.set(kafka, entry);
  }
  return entry;
}

async function liveBrokers(admin: Admin): Promise<number> {
  return (await admin.describeCluster()).brokers.length;
}

/**
 * The createTopics request for `missing`: partitions, replication fitted to
 * the live brokers (fitReplication throws when the configured factor exceeds
 * them), min.insync.replicas and retention as topic configs.
 */
export async function topicRequests(
  admin: Admin,
  missing: readonly string[],
  settings: KafkaTopicSettings,
  partitions: number,
): Promise<ITopicConfig[]> {
  const { replicationFactor, minInSyncReplicas } = fitReplication(
    settings,
    await liveBrokers(admin),
  );
  const configEntries = [
    { name: 'min.insync.replicas', value: String(minInSyncReplicas) },
    ...(settings.retentionMs === undefined
      ? []
      : [{ name: 'retention.ms', value: String(settings.retentionMs) }]),
  ];
  return missing.map((topic) => ({
    topic,
    numPartitions: partitions,
    replicationFactor,
    configEntries,
  }));
}

/**
 * Compares topics that already existed with the settings and warns about each
 * difference, once per topic and process. Nothing is changed: adding
 * partitions moves keys (and so per-aggregate order) to other partitions, and
 * replicas are moved by an operator (docs/operations.md, Kafka in production).
 */
export async function warnAboutExistingTopics(
  admin: Admin,
  topics: readonly string[],
  client: ClientTopics,
  partitions: number,
): Promise<void> {
  const unchecked = topics.filter((topic) => !client.checked.has(topic));
  if (!client.logger || unchecked.length === 0) return;
  const wanted = fitReplication(client.settings, await liveBrokers(admin));
  const metadata = await admin.fetchTopicMetadata({ topics: unchecked });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: unchecked.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['min.insync.replicas', 'retention.ms'],
    })),
  });
  for (const topic of metadata.topics) {
    const config = (name: string): string | undefined =>
      configs.resources
        .find((resource) => resource.resourceName === topic.name)
        ?.configEntries.find((entry) => entry.configName === name)?.configValue;
    const found = {
      partitions: topic.partitions.length,
      replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
      minInSyncReplicas: Number(config('min.insync.replicas')),
      retentionMs: Number(config('retention.ms')),
    };
    const differences = [
      found.partitions < partitions &&
        `${found.partitions} partitions (KAFKA_TOPIC_PARTITIONS is ${partitions})`,
      found.replicationFactor !== wanted.replicationFactor &&
        `${found.replicationFactor} replicas (wanted ${wanted.replicationFactor})`,
      found.minInSyncReplicas !== wanted.minInSyncReplicas &&
        `min.insync.replicas ${found.minInSyncReplicas} (wanted ${wanted.minInSyncReplicas})`,
      client.settings.retentionMs !== undefined &&
        found.retentionMs !== client.settings.retentionMs &&
        `retention.ms ${found.retentionMs} (KAFKA_TOPIC_RETENTION_MS is ${client.settings.retentionMs})`,
    ].filter((difference): difference is string => typeof difference === 'string');
    if (differences.length > 0) {
      client.logger.warn(
        { topic: topic.name, differences },
        `topic ${topic.name} exists with ${differences.join(', ')}: left as it is (docs/operations.md, Kafka in production)`,
      );
    }
    client.checked.add(topic.name);
  }
}
