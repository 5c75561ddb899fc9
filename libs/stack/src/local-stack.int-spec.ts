import { mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { startLocalStack, type LocalStack } from './local-stack';
import { isPortListening } from './ports';

const portOf = (address: string): number => Number(address.split(':').pop());

describe('startLocalStack (ephemeral, free ports)', () => {
  let dataDir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'stack-spec-'));
    // The first run on a machine also downloads the Kafka jars with Maven.
    stack = await startLocalStack({
      dataDir,
      ephemeral: true,
      withPostgres: true,
      withKafka: true,
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('serves the nexus database on the returned URL', async () => {
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ one: number; db: string }>(
        'select 1 as one, current_database() as db',
      );
      expect(rows).toEqual([{ one: 1, db: 'nexus' }]);
    } finally {
      await client.end();
    }
  });

  it('delivers a produced message to a consumer on an auto-created topic', async () => {
    const kafka = new Kafka({ brokers: [stack.kafkaBrokers ?? ''], logLevel: logLevel.NOTHING });
    const topic = `stack-spec-${Date.now()}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    try {
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
      });
      await expect(received).resolves.toBe('hello');
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  }, 60_000);

  it('closes both ports and removes its data when stopped', async () => {
    const pgPort = portOf(new URL(stack.databaseUrl ?? '').host);
    const kafkaPort = portOf(stack.kafkaBrokers ?? '');
    await expect(isPortListening(pgPort)).resolves.toBe(true);
    await expect(isPortListening(kafkaPort)).resolves.toBe(true);

    await stack.stop();

    await expect(isPortListening(pgPort)).resolves.toBe(false);
    await expect(isPortListening(kafkaPort)).resolves.toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 60_000);
});
