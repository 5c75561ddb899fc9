import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { kitTablesMigrations, createDataSource, defineAggregate, inTransaction } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import { runEventConsumer, type RunningConsumer } from './event-consumer';
import { createKafka, type Kafka } from './kafka';
import { EXACT_BACKLOG_LIMIT, measureOutboxBacklog } from './outbox-backlog';
import { OutboxRelay } from './outbox-relay';

// The measurements behind the outbox and consumer gauges (docs/operations.md),
// against a schema and topic of their own: no relay runs here unless a test starts one.
const logger = createLogger({ service: 'outbox-metrics-test', level: 'silent' });
const schema = `outbox_metrics_${Date.now()}`;
const gauge = defineAggregate<{ id: string; n: number }>({
  service: `outbox-metrics-${Date.now()}`,
  name: 'gauge',
  toResource: (g) => ({ id: g.id, n: g.n }),
});

let dataSource: DataSource;
let kafka: Kafka;
let relay: OutboxRelay | undefined;
const consumers: RunningConsumer[] = [];

const kitTables = kitTablesMigrations(schema, 'OutboxMetricsKitTables', 1795678000001);

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [],
    migrations: kitTables,
    poolSize: 4,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'outbox-metrics-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.runMigrations();
  kafka = createKafka({
    brokers: process.env.KAFKA_BROKERS!,
    clientId: 'outbox-metrics-test',
    logger,
  });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await relay?.stop();
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

const emit = (id: string, n: number) =>
  inTransaction(dataSource, 'someone', (tx) =>
    tx.emit(gauge, n === 0 ? 'created' : 'updated', null, { id, n }),
  );

async function until(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('outbox backlog', () => {
  it('counts the events waiting and the age of the oldest, and nothing once the relay published them', async () => {
    expect(await measureOutboxBacklog(dataSource, schema)).toEqual({
      pending: 0,
      oldestAgeSeconds: 0,
    });
    const id = uuidv7();
    for (let n = 0; n < 3; n += 1) await emit(id, n);
    const aMinuteLater = new Date(Date.now() + 60_000);
    const waiting = await measureOutboxBacklog(dataSource, schema, aMinuteLater);
    expect(waiting.pending).toBe(3);
    expect(waiting.oldestAgeSeconds).toBeGreaterThanOrEqual(60);
    expect(waiting.oldestAgeSeconds).toBeLessThan(90);

    const published: { count: number; lagSeconds: number }[] = [];
    relay = new OutboxRelay({
      databaseUrl: process.env.DATABASE_URL!,
      schema,
      kafka,
      logger,
      topics: [gauge.topic],
      onPublished: (count, lagSeconds) => published.push({ count, lagSeconds }),
    });
    relay.start();
    await until(async () => (await measureOutboxBacklog(dataSource, schema)).pending === 0);
    expect(published.reduce((total, batch) => total + batch.count, 0)).toBe(3);
    // The events waited from their write until the relay started: seconds at most, never negative.
    for (const { lagSeconds } of published) {
      expect(lagSeconds).toBeGreaterThanOrEqual(0);
      expect(lagSeconds).toBeLessThan(30);
    }
    expect(await measureOutboxBacklog(dataSource, schema)).toEqual({
      pending: 0,
      oldestAgeSeconds: 0,
    });
    await relay.stop();
    relay = undefined;
  });

  it('estimates a backlog past the exact count from the id range instead of counting every row', async () => {
    const rows = EXACT_BACKLOG_LIMIT + 2_500;
    await dataSource.query(
      `INSERT INTO "${schema}"."outbox" (event_id, topic, message_key, type, source, time, payload)
       SELECT gen_random_uuid(), $1, 'key', 'type', 'source', now(), '{}'::jsonb
         FROM generate_series(1, $2)`,
      [gauge.topic, rows],
    );
    try {
      expect((await measureOutboxBacklog(dataSource, schema)).pending).toBe(rows);
    } finally {
      await dataSource.query(`DELETE FROM "${schema}"."outbox"`);
    }
  });
});

describe('consumer lag', () => {
  it('shows the messages a group has not committed, and none once it has caught up', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const groupId = `outbox-metrics-${uuidv7()}`;
    const running = await runEventConsumer({
      kafka,
      dataSource,
      logger,
      service: gauge.service,
      groupId,
      topics: [gauge.topic],
      handle: async () => gate,
    });
    consumers.push(running);
    expect(running.groupId).toBe(groupId);

    const relayed = new OutboxRelay({
      databaseUrl: process.env.DATABASE_URL!,
      schema,
      kafka,
      logger,
      topics: [gauge.topic],
    });
    relay = relayed;
    relayed.start();
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    for (const id of ids) await emit(id, 0);

    // A fresh broker may answer that it is not yet the group's coordinator:
    // a scrape then misses the gauge once (ServiceMetrics counts it); here, ask again.
    const total = async () =>
      running.lag().then(
        (partitions) => partitions.reduce((sum, p) => sum + p.lag, 0),
        () => -1,
      );
    // The first test's 3 events are on the topic too: this group reads from the beginning.
    await until(async () => (await total()) === ids.length + 3);
    const partitions = await running.lag();
    expect(partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(partitions.every((p) => p.topic === gauge.topic)).toBe(true);

    release();
    await until(async () => (await total()) === 0);
  });
});
