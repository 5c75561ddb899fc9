import { z } from 'zod';

const count = (max: number) => z.coerce.number().int().min(1).max(max).optional();

/**
 * How the platform creates its topics (docs/operations.md, Kafka in
 * production). Replication and min.insync.replicas left unset follow
 * NODE_ENV: production asks for 3 and 2; elsewhere they fit the cluster
 * (kafkaTopicSettings).
 */
export const kafkaTopicEnvShape = {
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: count(32),
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: count(32),
  /** -1 keeps events for ever; unset: the broker's log.retention (7 days by default). */
  KAFKA_TOPIC_RETENTION_MS: z.coerce.number().int().min(-1).optional(),
};

export interface KafkaTopicEnv {
  NODE_ENV: 'development' | 'test' | 'production';
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_TOPIC_REPLICATION_FACTOR?: number;
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS?: number;
  KAFKA_TOPIC_RETENTION_MS?: number;
}

/** What ensureTopics creates; an unset count is fitted to the brokers the cluster has. */
export interface KafkaTopicSettings {
  partitions: number;
  replicationFactor?: number;
  minInSyncReplicas?: number;
  retentionMs?: number;
}

/** Production's defaults: one broker may fail with every acknowledged event still on two. */
export const PRODUCTION_TOPIC_REPLICAS = { replicationFactor: 3, minInSyncReplicas: 2 };

export function kafkaTopicSettings(env: KafkaTopicEnv): KafkaTopicSettings {
  const production = env.NODE_ENV === 'production';
  const replicationFactor =
    env.KAFKA_TOPIC_REPLICATION_FACTOR ??
    (production ? PRODUCTION_TOPIC_REPLICAS.replicationFactor : undefined);
  return {
    partitions: env.KAFKA_TOPIC_PARTITIONS,
    replicationFactor,
    minInSyncReplicas:
      env.KAFKA_TOPIC_MIN_INSYNC_REPLICAS ??
      (production
        ? Math.min(PRODUCTION_TOPIC_REPLICAS.minInSyncReplicas, replicationFactor ?? 0)
        : undefined),
    retentionMs: env.KAFKA_TOPIC_RETENTION_MS,
  };
}

/**
 * The replication a topic gets on a cluster of `brokers` live brokers: the
 * configured counts, or (unset) 3 and 2 capped by the cluster, so one broker
 * gets 1 and 1. Throws when the configured factor exceeds the brokers.
 */
export function fitReplication(
  settings: KafkaTopicSettings,
  brokers: number,
): { replicationFactor: number; minInSyncReplicas: number } {
  const replicationFactor =
    settings.replicationFactor ?? Math.min(PRODUCTION_TOPIC_REPLICAS.replicationFactor, brokers);
  if (replicationFactor > brokers) {
    throw new Error(
      `KAFKA_TOPIC_REPLICATION_FACTOR is ${replicationFactor} but the cluster has ${brokers} live broker(s): ` +
        'a topic cannot have more replicas than brokers (start more brokers, or set a smaller factor)',
    );
  }
  const minInSyncReplicas =
    settings.minInSyncReplicas ??
    Math.min(PRODUCTION_TOPIC_REPLICAS.minInSyncReplicas, replicationFactor);
  if (minInSyncReplicas > replicationFactor) {
    throw new Error(
      `KAFKA_TOPIC_MIN_INSYNC_REPLICAS is ${minInSyncReplicas}, more than the ${replicationFactor} replica(s) ` +
        `a topic gets on ${brokers} broker(s): no write could ever be acknowledged`,
    );
  }
  return { replicationFactor, minInSyncReplicas };
}

/** Checks across the topic variables (parseEnv reports them with the others). */
export function kafkaTopicEnvProblems(
  env: Partial<KafkaTopicEnv>,
): { variable: keyof KafkaTopicEnv; message: string }[] {
  const factor = env.KAFKA_TOPIC_REPLICATION_FACTOR;
  const minIsr = env.KAFKA_TOPIC_MIN_INSYNC_REPLICAS;
  if (factor !== undefined && minIsr !== undefined && minIsr > factor) {
    return [
      {
        variable: 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS',
        message: `is ${minIsr}, more than KAFKA_TOPIC_REPLICATION_FACTOR (${factor}): no write could ever be acknowledged`,
      },
    ];
  }
  return [];
}
