import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { kitTablesMigrations, createDataSource, defineAggregate, inTransaction } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import type { KafkaMessage } from 'kafkajs';
import { MalformedEventError } from './cloud-event';
import { deadLetterTopic } from './dead-letter';
import { applyOnce, runEventConsumer, type RunningConsumer } from './event-consumer';
import { createKafka, ensureTopics, type Kafka } from './kafka';
import { OutboxRelay } from './outbox-relay';
import type { PlatformEvent } from './cloud-event';

const logger = createLogger({ service: 'events-test', level: 'silent' });
const schema = `events_${Date.now()}`;
const thing = defineAggregate<{ id: string; n: number }>({
  service: `events-test-${Date.now()}`,
  name: 'thing',
  toResource: (t) => ({ id: t.id, n: t.n }),
});

let dataSource: DataSource;
let kafka: Kafka;
const relays: OutboxRelay[] = [];
const consumers: RunningConsumer[] = [];

const kitTables = kitTablesMigrations(schema, 'TestKitTables', 1795678000000);

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [],
    migrations: kitTables,
    poolSize: 4,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'events-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.runMigrations();
  kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!, clientId: 'events-test', logger });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await Promise.all(readers.map((r) => r.disconnect()));
  await Promise.all(relays.map((r) => r.stop()));
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

const newRelay = () => {
  const relay = new OutboxRelay({
    databaseUrl: process.env.DATABASE_URL!,
    schema,
    kafka,
    logger,
    topics: [thing.topic],
  });
  relays.push(relay);
  relay.start();
  return relay;
};

const emit = (id: string, n: number) =>
  inTransaction(dataSource, 'someone', (tx) =>
    tx.emit(thing, n === 0 ? 'created' : 'updated', null, { id, n }),
  );

async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function consume(
  handle: (event: PlatformEvent) => void,
  groupId = `events-test-${uuidv7()}`,
) {
  const running = await runEventConsumer({
    kafka,
    dataSource,
    logger,
    service: thing.service,
    groupId,
    topics: [thing.topic],
    handle: async (event) => handle(event),
  });
  consumers.push(running);
}

/** Every message of the service's dead-letter topic that `groupId` sent there. */
async function readDeadLetters(groupId: string): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  const reader = kafka.consumer({ groupId: `dlq-reader-${uuidv7()}` });
  await reader.connect();
  await reader.subscribe({ topics: [deadLetterTopic(thing.service)], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      if (header(message, 'dlq_consumer_group') === groupId) messages.push(message);
    },
  });
  readers.push(reader);
  return messages;
}
const readers: { disconnect(): Promise<void> }[] = [];

function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

describe('outbox relay and event consumer', () => {
  it('relays every event in order per aggregate, once a single leader holds the lock', async () => {
    const first = newRelay();
    const second = newRelay();
    await until(() => [first.status, second.status].sort().join() === 'leader,standby');

    const received: PlatformEvent[] = [];
    await consume((event) => void received.push(event));
    const ids = [uuidv7(), uuidv7()];
    for (let n = 0; n < 5; n += 1) for (const id of ids) await emit(id, n);

    await until(() => received.length >= 10);
    for (const id of ids) {
      expect(received.filter((e) => e.subject === id).map((e) => e.data.after?.n)).toEqual([
        0, 1, 2, 3, 4,
      ]);
    }
    expect(received[0]).toMatchObject({
      type: `${thing.topic}.created`,
      source: thing.source,
      data: { actor: 'someone' },
    });
    const left = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${schema}"."outbox"`,
    );
    expect(left[0]?.n).toBe(0);
    // Each event went out under its change log position, gapless from 1.
    const logged = await dataSource.query<{ position: string; event_id: string }[]>(
      `SELECT position, event_id FROM "${schema}"."change_log" ORDER BY position`,
    );
    expect(logged.map((row) => Number(row.position))).toEqual(
      Array.from({ length: 10 }, (_, index) => index + 1),
    );
    const positionOf = new Map(logged.map((row) => [row.event_id, Number(row.position)]));
    expect(received.map((event) => event.sequence)).toEqual(
      received.map((event) => positionOf.get(event.id)),
    );

    // The leader goes away: the standby takes over, and events keep flowing
    // under the positions that follow.
    const leader = first.status === 'leader' ? first : second;
    const standby = leader === first ? second : first;
    await leader.stop();
    await until(() => standby.status === 'leader');
    const late = uuidv7();
    await emit(late, 0);
    await until(() => received.some((e) => e.subject === late));
    expect(received.find((e) => e.subject === late)?.sequence).toBe(11);
  }, 60_000);

  it('applies an event once even when it is delivered twice', async () => {
    const applied: string[] = [];
    const event = {
      id: uuidv7(),
      type: `${thing.topic}.created`,
      source: thing.source,
      subject: uuidv7(),
      time: new Date(),
      topic: thing.topic,
      partition: 0,
      offset: '0',
      data: { before: null, after: { n: 1 }, changed: ['n'], actor: null },
    };
    const options = {
      dataSource,
      groupId: 'dedupe-test',
      handle: async (e: PlatformEvent) => void applied.push(e.id),
    };
    expect(await applyOnce(options, event)).toBe(true);
    expect(await applyOnce(options, event)).toBe(false);
    expect(applied).toEqual([event.id]);
  });

  it('forgets an event whose handler failed, so the retry applies it', async () => {
    const event = {
      id: uuidv7(),
      type: 't',
      source: 's',
      subject: 'x',
      time: new Date(),
      topic: thing.topic,
      partition: 0,
      offset: '0',
      data: { before: null, after: null, changed: [], actor: null },
    };
    const failing = {
      dataSource,
      groupId: 'retry-test',
      handle: async () => Promise.reject(new Error('transient')),
    };
    await expect(applyOnce(failing, event)).rejects.toThrow('transient');
    expect(await applyOnce({ ...failing, handle: async () => undefined }, event)).toBe(true);
  });

  it('dead-letters a message that is no platform event, with its reason and origin, and goes on', async () => {
    const groupId = `events-test-${uuidv7()}`;
    const good: string[] = [];
    await consume((event) => void good.push(event.subject), groupId);
    const dead = await readDeadLetters(groupId);
    const producer = kafka.producer();
    await producer.connect();
    const key = uuidv7();
    await producer.send({
      topic: thing.topic,
      messages: [{ key, value: 'not an event', headers: { ce_specversion: '1.0' } }],
    });
    await producer.disconnect();
    newRelay();
    const after = uuidv7();
    await emit(after, 0);
    await until(() => good.includes(after) && dead.length > 0);
    expect(dead).toHaveLength(1);
    expect(dead[0].key?.toString()).toBe(key);
    expect(dead[0].value?.toString()).toBe('not an event');
    expect(header(dead[0], 'ce_specversion')).toBe('1.0');
    expect(header(dead[0], 'dlq_error')).toBe('MalformedEventError: missing header ce_id');
    expect(header(dead[0], 'dlq_topic')).toBe(thing.topic);
    expect(header(dead[0], 'dlq_partition')).toMatch(/^\d+$/);
    expect(header(dead[0], 'dlq_offset')).toMatch(/^\d+$/);
  }, 60_000);

  it('dead-letters a message whose reason quotes a 200 KB header, too large for the dead-letter topic, as a stub with a capped reason, and goes on', async () => {
    // A dead-letter topic that refuses records over 64 KB: the full record of
    // a message carrying a 200 KB header is over it, as one near the broker's
    // limit would be once the dead-letter headers are added.
    const service = `events-big-${Date.now()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: deadLetterTopic(service),
          numPartitions: 1,
          configEntries: [{ name: 'max.message.bytes', value: '65536' }],
        },
      ],
    });
    await admin.disconnect();
    const groupId = `events-test-${uuidv7()}`;
    const good: string[] = [];
    consumers.push(
      await runEventConsumer({
        kafka,
        dataSource,
        logger,
        service,
        groupId,
        topics: [thing.topic],
        handle: async (event) => void good.push(event.subject),
      }),
    );
    const dead: KafkaMessage[] = [];
    const reader = kafka.consumer({ groupId: `dlq-reader-${uuidv7()}` });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topics: [deadLetterTopic(service)], fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void dead.push(message) });
    const key = uuidv7();
    const value = JSON.stringify({ before: null, after: { id: key, n: 0 } });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: thing.topic,
      messages: [
        {
          key,
          value,
          headers: {
            ce_specversion: '1.0',
            ce_id: uuidv7(),
            ce_time: new Date().toISOString(),
            ce_type: 'x'.repeat(200 * 1024),
            ce_subject: key,
          },
        },
      ],
    });
    await producer.disconnect();
    newRelay();
    const after = uuidv7();
    await emit(after, 0);
    await until(() => good.includes(after) && dead.some((m) => m.key?.toString() === key));
    const mine = dead.filter((m) => m.key?.toString() === key);
    expect(mine).toHaveLength(1);
    const reason = header(mine[0], 'dlq_error')!;
    expect(reason).toMatch(/^MalformedEventError: ce_type x+…$/);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(200);
    expect(mine[0].value).toBeNull();
    expect(header(mine[0], 'dlq_value_dropped')).toBe(String(Buffer.byteLength(value)));
    expect(header(mine[0], 'ce_type')).toBeUndefined();
    expect(header(mine[0], 'dlq_topic')).toBe(thing.topic);
    expect(header(mine[0], 'dlq_consumer_group')).toBe(groupId);
    expect(header(mine[0], 'dlq_offset')).toMatch(/^\d+$/);
  }, 60_000);

  it('dead-letters once an event its handler refuses as malformed, keeping none of its changes', async () => {
    const groupId = `events-test-${uuidv7()}`;
    const refused = uuidv7();
    const good: string[] = [];
    const running = await runEventConsumer({
      kafka,
      dataSource,
      logger,
      service: thing.service,
      groupId,
      topics: [thing.topic],
      handle: async (event, tx) => {
        await tx.manager.query(
          `CREATE TABLE IF NOT EXISTS "${schema}"."t_${event.subject.slice(-12)}" (x int)`,
        );
        if (event.subject === refused) throw new MalformedEventError('no n in it');
        good.push(event.subject);
      },
    });
    consumers.push(running);
    const dead = await readDeadLetters(groupId);
    newRelay();
    await emit(refused, 0);
    const after = uuidv7();
    await emit(after, 0);
    // Reading from the beginning, this group also dead-letters the earlier tests' garbage.
    const mine = () => dead.filter((m) => m.key?.toString() === refused);
    await until(() => good.includes(after) && mine().length > 0);
    expect(mine().map((m) => header(m, 'dlq_error'))).toEqual(['MalformedEventError: no n in it']);
    const tables = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = $2`,
      [schema, `t_${refused.slice(-12)}`],
    );
    expect(tables[0]?.n).toBe(0);
    // Recorded as processed: a redelivery is neither applied nor dead-lettered again.
    const processed = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${schema}"."processed_events" WHERE consumer = $1 AND event_id = $2`,
      [groupId, header(mine()[0], 'ce_id')],
    );
    expect(processed[0]?.n).toBe(1);
  }, 60_000);

  it('reports each applied event after its commit, handling partitions concurrently in order', async () => {
    const applied: PlatformEvent[] = [];
    const running = await runEventConsumer({
      kafka,
      dataSource,
      logger,
      service: thing.service,
      groupId: `events-test-${uuidv7()}`,
      topics: [thing.topic],
      partitionsConsumedConcurrently: 3,
      handle: async () => undefined,
      onApplied: (event) => void applied.push(event),
    });
    consumers.push(running);
    newRelay();
    const ids = [uuidv7(), uuidv7(), uuidv7()];
    for (let n = 0; n < 3; n += 1) for (const id of ids) await emit(id, n);
    await until(() => ids.every((id) => applied.filter((e) => e.subject === id).length === 3));
    for (const id of ids) {
      const ns = applied.filter((e) => e.subject === id).map((e) => e.data.after?.n);
      expect(ns).toEqual([0, 1, 2]);
    }
  }, 60_000);
});

describe('ensureTopics', () => {
  it('creates shared topics when several services race to create them at once', async () => {
    const topics = Array.from({ length: 12 }, (_, i) => i).map(
      (i) => `nexus.race-${Date.now()}.t${i}`,
    );
    const clients = Array.from({ length: 8 }, (_, i) =>
      createKafka({ brokers: process.env.KAFKA_BROKERS!, clientId: `race-${i}`, logger }),
    );
    // Each "service" asks for the topics in its own order, as consumers and relays do.
    await Promise.all(
      clients.map((client, i) =>
        ensureTopics(client, [...topics.slice(i % 12), ...topics.slice(0, i % 12)]),
      ),
    );
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics });
    await admin.disconnect();
    expect(metadata.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(
      topics.map((t) => [t, 3]).sort(),
    );
  });
});
