import { z } from 'zod';
import { fitReplication, kafkaTopicEnvShape, kafkaTopicSettings } from './kafka-topics';
import { ConfigError, parseEnv } from './load-config';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  ...kafkaTopicEnvShape,
});

describe('kafkaTopicSettings', () => {
  it('asks for 3 replicas and 2 in sync in production when nothing is set', () => {
    expect(kafkaTopicSettings(parseEnv(schema, { NODE_ENV: 'production' }))).toEqual({
      partitions: 3,
      replicationFactor: 3,
      minInSyncReplicas: 2,
      retentionMs: undefined,
    });
  });

  it('leaves replication to the cluster size outside production', () => {
    const settings = kafkaTopicSettings(parseEnv(schema, {}));
    expect(settings.replicationFactor).toBeUndefined();
    expect(fitReplication(settings, 1)).toEqual({ replicationFactor: 1, minInSyncReplicas: 1 });
    expect(fitReplication(settings, 3)).toEqual({ replicationFactor: 3, minInSyncReplicas: 2 });
    expect(fitReplication(settings, 5)).toEqual({ replicationFactor: 3, minInSyncReplicas: 2 });
  });

  it('takes the configured counts and retention as they are', () => {
    const settings = kafkaTopicSettings(
      parseEnv(schema, {
        NODE_ENV: 'production',
        KAFKA_TOPIC_PARTITIONS: '12',
        KAFKA_TOPIC_REPLICATION_FACTOR: '5',
        KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3',
        KAFKA_TOPIC_RETENTION_MS: '-1',
      }),
    );
    expect(settings).toEqual({
      partitions: 12,
      replicationFactor: 5,
      minInSyncReplicas: 3,
      retentionMs: -1,
    });
    expect(fitReplication(settings, 5)).toEqual({ replicationFactor: 5, minInSyncReplicas: 3 });
  });

  it('keeps min.insync.replicas within a smaller configured factor in production', () => {
    const env = { NODE_ENV: 'production', KAFKA_TOPIC_REPLICATION_FACTOR: '1' };
    expect(kafkaTopicSettings(parseEnv(schema, env)).minInSyncReplicas).toBe(1);
  });
});

describe('fitReplication', () => {
  it('refuses more replicas than live brokers, naming both', () => {
    expect(() => fitReplication({ partitions: 3, replicationFactor: 3 }, 1)).toThrow(
      'KAFKA_TOPIC_REPLICATION_FACTOR is 3 but the cluster has 1 live broker(s)',
    );
  });

  it('refuses a min.insync.replicas no write could meet on a small cluster', () => {
    expect(() => fitReplication({ partitions: 3, minInSyncReplicas: 2 }, 1)).toThrow(
      'KAFKA_TOPIC_MIN_INSYNC_REPLICAS is 2, more than the 1 replica(s)',
    );
  });
});

describe('parseEnv with the topic variables', () => {
  it('rejects min.insync.replicas above the replication factor', () => {
    const parse = () =>
      parseEnv(schema, {
        KAFKA_TOPIC_REPLICATION_FACTOR: '2',
        KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3',
      });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow('KAFKA_TOPIC_MIN_INSYNC_REPLICAS: is 3, more than');
  });

  it('rejects counts below one and names the variable', () => {
    expect(() => parseEnv(schema, { KAFKA_TOPIC_PARTITIONS: '0' })).toThrow(
      'KAFKA_TOPIC_PARTITIONS',
    );
  });
});
