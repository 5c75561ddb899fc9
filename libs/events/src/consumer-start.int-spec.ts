import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { kitTablesMigrations, createDataSource } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import { toKafkaMessage } from './cloud-event';
import { runEventConsumer, type RunningConsumer } from './event-consumer';
import { createKafka, ensureTopics } from './kafka';

const ROOT = path.resolve(__dirname, '../../..');
const logger = createLogger({ service: 'consumer-start-test', level: 'silent' });
const schema = `consumer_start_${Date.now()}`;
const topic = `nexus.consumer-start-${Date.now()}.thing`;
const groupId = `consumer-start-${uuidv7()}`;
/** How long the broker keeps counting a member that stopped heartbeating. */
const CRASHED_MEMBER_SESSION_MS = 15_000;

const kitTables = kitTablesMigrations(schema, 'TestKitTables', 1795678000000);

let dataSource: DataSource;
let running: RunningConsumer | undefined;
let crashed: ChildProcess | undefined;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [],
    migrations: kitTables,
    poolSize: 2,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'consumer-start-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.runMigrations();
});

afterAll(async () => {
  crashed?.kill('SIGKILL');
  await running?.stop();
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

/** A group member in another process, killed without leaving the group (a crashed replica). */
async function joinAndCrash(): Promise<void> {
  const script = `
    const { Kafka, logLevel } = require('kafkajs');
    const kafka = new Kafka({ brokers: [process.env.KAFKA_BROKERS], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: ${JSON.stringify(groupId)}, sessionTimeout: ${CRASHED_MEMBER_SESSION_MS} });
    consumer.on(consumer.events.GROUP_JOIN, () => console.log('joined'));
    consumer.connect()
      .then(() => consumer.subscribe({ topics: [${JSON.stringify(topic)}] }))
      .then(() => consumer.run({ eachMessage: async () => new Promise(() => undefined) }));
  `;
  crashed = spawn(process.execPath, ['-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: crashed.stdout! });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  crashed.kill('SIGKILL');
}

describe('runEventConsumer', () => {
  it('returns without waiting for its group to drop a member that crashed, and consumes once the group has it', async () => {
    const kafka = createKafka({
      brokers: process.env.KAFKA_BROKERS!,
      clientId: 'consumer-start-test',
      logger,
    });
    await ensureTopics(kafka, [topic]);
    await joinAndCrash();

    const handled: string[] = [];
    const began = Date.now();
    running = await runEventConsumer({
      kafka,
      dataSource,
      logger,
      service: 'consumer-start-test',
      groupId,
      topics: [topic],
      handle: async (event) => {
        handled.push(event.id);
      },
    });
    // A service starting after a crash serves at once instead of after the crashed member's session.
    expect(Date.now() - began).toBeLessThan(CRASHED_MEMBER_SESSION_MS / 2);

    const producer = kafka.producer();
    await producer.connect();
    const eventId = uuidv7();
    await producer.send({
      topic,
      messages: [
        toKafkaMessage({
          id: '1',
          event_id: eventId,
          topic,
          message_key: uuidv7(),
          type: `${topic}.created`,
          source: '/nexus/consumer-start',
          time: new Date(),
          payload: { before: null, after: { n: 1 }, changed: ['n'], actor: null },
        }),
      ],
    });
    await producer.disconnect();
    const deadline = Date.now() + CRASHED_MEMBER_SESSION_MS * 3;
    while (!handled.includes(eventId) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(handled).toEqual([eventId]);
  }, 90_000);
});
