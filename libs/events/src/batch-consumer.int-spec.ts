import 'reflect-metadata';
import type { Consumer, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { kitTablesMigrations, createDataSource, type Tx } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import { MalformedEventError, toKafkaMessage, type PlatformEvent } from './cloud-event';
import { deadLetterTopic } from './dead-letter';
import { applyBatchOnce, runEventConsumer, type RunningConsumer } from './event-consumer';
import { createKafka, ensureTopics, type Kafka } from './kafka';

const logger = createLogger({ service: 'batch-consumer-test', level: 'silent' });
const schema = `batch_consumer_${Date.now()}`;
const service = `batch-test-${Date.now()}`;

let dataSource: DataSource;
let kafka: Kafka;
const running: RunningConsumer[] = [];
const readers: Consumer[] = [];

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
    applicationName: 'batch-consumer-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.runMigrations();
  // What the handlers write: one row per applied event, in the order applied.
  await dataSource.query(
    `CREATE TABLE "${schema}"."applied" (seq serial PRIMARY KEY, grp text, event_id uuid, n int)`,
  );
  kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!, clientId: 'batch-test', logger });
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await Promise.all(readers.map((r) => r.disconnect()));
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function event(n: number, extra: Partial<PlatformEvent> = {}): PlatformEvent {
  const id = uuidv7();
  return {
    id,
    type: 'nexus.batch.thing.created',
    source: '/nexus/batch',
    subject: id,
    time: new Date(),
    topic: 'nexus.batch.thing',
    partition: 0,
    offset: String(n),
    data: { before: null, after: { n }, changed: [], actor: null },
    ...extra,
  };
}

/** Writes the batch with one multi-row INSERT; refuses an event whose `after.bad` is set. */
function writer(group: string, calls: number[] = []) {
  return async (events: PlatformEvent[], tx: Tx) => {
    calls.push(events.length);
    await tx.manager.query(
      `INSERT INTO "${schema}"."applied" (grp, event_id, n)
       SELECT $1, id, n FROM unnest($2::uuid[], $3::int[]) AS t(id, n)`,
      [group, events.map((e) => e.id), events.map((e) => Number(e.data.after?.n))],
    );
    const bad = events.find((e) => e.data.after?.bad === true);
    if (bad) throw new MalformedEventError(`event ${Number(bad.data.after?.n)} is refused`);
  };
}

async function appliedRows(group: string): Promise<{ event_id: string; n: number }[]> {
  return dataSource.query(
    `SELECT event_id, n FROM "${schema}"."applied" WHERE grp = $1 ORDER BY seq`,
    [group],
  );
}

describe('applyBatchOnce', () => {
  it('applies a batch in one transaction and a redelivered batch changes nothing', async () => {
    const group = `g-${uuidv7()}`;
    const calls: number[] = [];
    const options = { dataSource, groupId: group, handleBatch: writer(group, calls) };
    const batch = [event(1), event(2), event(3)];
    expect((await applyBatchOnce(options, batch)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect(await applyBatchOnce(options, batch)).toEqual([]);
    expect(calls).toEqual([3]);
    expect((await appliedRows(group)).map((r) => r.n)).toEqual([1, 2, 3]);
  });

  it('passes only the events not applied before, in the order given, an id seen twice once', async () => {
    const group = `g-${uuidv7()}`;
    const options = { dataSource, groupId: group, handleBatch: writer(group) };
    const [a, b, c, d] = [event(1), event(2), event(3), event(4)];
    await applyBatchOnce(options, [a, b]);
    // b again, c twice (a producer retry), an upper-case copy of a.
    const again = { ...a, id: a.id.toUpperCase() };
    const applied = await applyBatchOnce(options, [again, b, c, { ...c, offset: '9' }, d]);
    expect(applied.map((e) => e.offset)).toEqual(['3', '4']);
    expect((await appliedRows(group)).map((r) => r.n)).toEqual([1, 2, 3, 4]);
  });

  it('records nothing of a batch whose handler failed, so the retry applies all of it', async () => {
    const group = `g-${uuidv7()}`;
    const batch = [event(1), event(2)];
    const failing = {
      dataSource,
      groupId: group,
      handleBatch: async (events: PlatformEvent[], tx: Tx) => {
        await writer(group)(events, tx);
        throw new Error('transient');
      },
    };
    await expect(applyBatchOnce(failing, batch)).rejects.toThrow('transient');
    expect(await appliedRows(group)).toEqual([]);
    const retried = await applyBatchOnce({ ...failing, handleBatch: writer(group) }, batch);
    expect(retried).toHaveLength(2);
    expect((await appliedRows(group)).map((r) => r.n)).toEqual([1, 2]);
  });
});

describe('runEventConsumer in batch mode', () => {
  /** Every message `groupId` sent to the service's dead-letter topic. */
  async function readDeadLetters(groupId: string): Promise<KafkaMessage[]> {
    const messages: KafkaMessage[] = [];
    await ensureTopics(kafka, [deadLetterTopic(service)]);
    const reader = kafka.consumer({ groupId: `dlq-reader-${uuidv7()}` });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topics: [deadLetterTopic(service)], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.dlq_consumer_group?.toString() === groupId) messages.push(message);
      },
    });
    return messages;
  }

  async function publish(topic: string, messages: Parameters<typeof toKafkaMessage>[0][]) {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: messages.map(toKafkaMessage) });
    await producer.disconnect();
  }

  const row = (topic: string, n: number, after: Record<string, unknown> = {}) => {
    const id = uuidv7();
    return {
      id: String(n),
      event_id: id,
      topic,
      message_key: id,
      type: `${topic}.created`,
      source: '/nexus/batch',
      time: new Date(),
      payload: { before: null, after: { n, ...after }, changed: [], actor: null },
    };
  };

  it('applies what it fetched in batches, in offset order, dead-letters the unreadable and the refused one by one, and a redelivery changes nothing', async () => {
    // One partition, filled before the group starts: the first fetch holds all of it.
    const topic = `nexus.${service}.thing`;
    await ensureTopics(kafka, [topic], 1);
    const groupId = `batch-${uuidv7()}`;
    const refused = row(topic, 5, { bad: true });
    const good = [1, 2, 3, 4, 6, 7, 8].map((n) => row(topic, n));
    await publish(topic, [...good.slice(0, 4), refused, ...good.slice(4)]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: 'garbage', value: 'not an event', headers: { ce_specversion: '1.0' } }],
    });
    await producer.disconnect();
    const tail = [9, 10, 11].map((n) => row(topic, n));
    await publish(topic, tail);

    const dead = await readDeadLetters(groupId);
    const calls: number[] = [];
    const reported: string[] = [];
    const start = () =>
      runEventConsumer({
        kafka,
        dataSource,
        logger,
        service,
        groupId,
        topics: [topic],
        handleBatch: writer(groupId, calls),
        onApplied: (e) => void reported.push(e.id),
      });
    let consumer = await start();
    running.push(consumer);
    await until(async () => (await appliedRows(groupId)).length === 10 && dead.length === 2);

    const expected = [...good, ...tail].map((r) => r.event_id);
    expect((await appliedRows(groupId)).map((r) => r.event_id)).toEqual(expected);
    expect(reported).toEqual(expected);
    // The first fetch was one batch; the refusal sent that batch one event at a time.
    expect(calls[0]).toBeGreaterThan(1);
    expect(calls).toContain(1);
    expect(dead.map((m) => m.headers?.dlq_error?.toString()).sort()).toEqual([
      'MalformedEventError: event 5 is refused',
      'MalformedEventError: missing header ce_id',
    ]);
    const [{ n: recorded }] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${schema}"."processed_events" WHERE consumer = $1`,
      [groupId],
    );
    expect(recorded).toBe(11);

    // Everything again from the first offset: nothing changes, the next event applies.
    await consumer.stop();
    running.splice(running.indexOf(consumer), 1);
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId, topic, earliest: true });
    await admin.disconnect();
    calls.length = 0;
    consumer = await start();
    running.push(consumer);
    const marker = row(topic, 12);
    await publish(topic, [marker]);
    await until(async () => (await appliedRows(groupId)).length === 11);
    expect((await appliedRows(groupId)).map((r) => r.event_id)).toEqual([
      ...expected,
      marker.event_id,
    ]);
    expect(reported).toEqual([...expected, marker.event_id]);
    expect(dead.filter((m) => m.headers?.ce_id?.toString() === refused.event_id)).toHaveLength(1);
  }, 90_000);

  it('keeps order per partition with partitions applied concurrently, two members splitting them', async () => {
    const topic = `nexus.${service}.split`;
    await ensureTopics(kafka, [topic], 3);
    const groupId = `batch-${uuidv7()}`;
    const byMember = [new Set<string>(), new Set<string>()];
    const member = (index: number) =>
      runEventConsumer({
        kafka,
        dataSource,
        logger,
        service,
        groupId,
        topics: [topic],
        partitionsConsumedConcurrently: 3,
        handleBatch: writer(groupId),
        onApplied: (e) => void byMember[index].add(e.id),
      });
    running.push(await member(0), await member(1));
    const admin = kafka.admin();
    await admin.connect();
    try {
      await until(async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group?.state === 'Stable' && group.members.length === 2;
      }, 60_000);
    } finally {
      await admin.disconnect();
    }
    // 24 aggregates (so both members' partitions get some), five versions each,
    // published as they happen: interleaved.
    const aggregates = Array.from({ length: 24 }, () => uuidv7());
    const published: ReturnType<typeof row>[] = [];
    for (let n = 0; n < 5; n += 1) {
      const versions = aggregates.map((key) => ({ ...row(topic, n), message_key: key }));
      published.push(...versions);
      await publish(topic, versions);
    }
    await until(async () => (await appliedRows(groupId)).length === published.length);
    const rows = await appliedRows(groupId);
    for (const key of aggregates) {
      const mine = new Set(published.filter((p) => p.message_key === key).map((p) => p.event_id));
      expect(rows.filter((r) => mine.has(r.event_id)).map((r) => r.n)).toEqual([0, 1, 2, 3, 4]);
    }
    // Each event applied by exactly one member, and both members applied some.
    expect(byMember[0].size + byMember[1].size).toBe(published.length);
    expect(byMember[0].size).toBeGreaterThan(0);
    expect(byMember[1].size).toBeGreaterThan(0);
  }, 90_000);
});
