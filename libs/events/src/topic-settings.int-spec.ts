import { ConfigResourceTypes } from 'kafkajs';
import pino from 'pino';
import type { KafkaTopicSettings } from '@nexus/config';
import { createKafka, ensureTopics, type Kafka } from './kafka';

/** A client with these topic settings whose warnings land in `warnings`. */
function clientWith(topics: KafkaTopicSettings): { kafka: Kafka; warnings: string[] } {
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push((JSON.parse(line) as { msg: string }).msg) },
  );
  const kafka = createKafka({
    brokers: process.env.KAFKA_BROKERS!,
    clientId: 'topic-settings-test',
    logger,
    topics,
  });
  return { kafka, warnings };
}

async function describeTopic(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    const config = (name: string) =>
      resources[0].configEntries.find((entry) => entry.configName === name)?.configValue;
    return {
      partitions: metadata.partitions.length,
      replicas: metadata.partitions[0].replicas.length,
      minInSync: config('min.insync.replicas'),
      retention: config('retention.ms'),
    };
  } finally {
    await admin.disconnect();
  }
}

const topicName = (what: string): string => `nexus.topic-settings-${Date.now()}.${what}`;

// The test stack is one broker: the cases a bigger cluster adds are in the
// faults run (e2e:faults, kafka-leader-killed: 3 replicas, 2 in sync).
describe('ensureTopics with topic settings', () => {
  it('creates topics with the configured partitions, min.insync.replicas and retention, replicas fitted to one broker', async () => {
    const { kafka, warnings } = clientWith({ partitions: 5, retentionMs: 3_600_000 });
    const topic = topicName('created');
    await ensureTopics(kafka, [topic]);
    await expect(describeTopic(kafka, topic)).resolves.toEqual({
      partitions: 5,
      replicas: 1,
      minInSync: '1',
      retention: '3600000',
    });
    expect(warnings).toEqual([]);
  });

  it('refuses a replication factor above the brokers the cluster has, saying so', async () => {
    const { kafka } = clientWith({ partitions: 3, replicationFactor: 3 });
    const topic = topicName('refused');
    await expect(ensureTopics(kafka, [topic], undefined, 1_000)).rejects.toThrow(
      'KAFKA_TOPIC_REPLICATION_FACTOR is 3 but the cluster has 1 live broker(s)',
    );
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics).not.toContain(topic);
  });

  it('leaves an existing topic with other settings as it is and warns once about each difference', async () => {
    const topic = topicName('existing');
    await ensureTopics(clientWith({ partitions: 2 }).kafka, [topic]);

    const { kafka, warnings } = clientWith({ partitions: 6, retentionMs: 60_000 });
    await ensureTopics(kafka, [topic]);
    await ensureTopics(kafka, [topic]);

    await expect(describeTopic(kafka, topic)).resolves.toMatchObject({ partitions: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `topic ${topic} exists with 2 partitions (KAFKA_TOPIC_PARTITIONS is 6)`,
    );
    expect(warnings[0]).toContain('(KAFKA_TOPIC_RETENTION_MS is 60000)');
    expect(warnings[0]).toContain('left as it is');
  });
});
