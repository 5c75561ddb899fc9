import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { createDataSource, defineAggregate, inTransaction, kitTablesMigrations } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import { ChangeFeed, CursorExpiredError } from './change-feed';
import type { PlatformEvent } from './cloud-event';
import { createKafka, type Kafka } from './kafka';
import { OutboxRelay } from './outbox-relay';

const logger = createLogger({ service: 'change-feed-test', level: 'silent' });
const schema = `change_feed_${Date.now()}`;
const thing = defineAggregate<{ id: string; n: number }>({
  service: `feed-test-${Date.now()}`,
  name: 'thing',
  toResource: (t) => ({ id: t.id, n: t.n }),
});

let dataSource: DataSource;
let kafka: Kafka;
let relay: OutboxRelay;
let feed: ChangeFeed;

beforeAll(async () => {
  dataSource = createDataSource({
    url: process.env.DATABASE_URL!,
    schema,
    entities: [],
    migrations: kitTablesMigrations(schema, 'FeedKitTables', 1795678000000),
    poolSize: 4,
    maxOverflow: 0,
    sqlEcho: false,
    applicationName: 'change-feed-test',
  });
  await dataSource.initialize();
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.runMigrations();
  kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!, clientId: 'feed-test', logger });
  relay = new OutboxRelay({
    databaseUrl: process.env.DATABASE_URL!,
    schema,
    kafka,
    logger,
    topics: [thing.topic],
  });
  relay.start();
}, 60_000);

afterAll(async () => {
  await feed?.stop();
  await relay.stop();
  await dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
  await dataSource.destroy();
});

/** Ten events, each of its own aggregate, so they spread over partitions. */
const emitTen = (round: number) =>
  inTransaction(dataSource, 'someone', async (tx) => {
    for (let n = 0; n < 10; n += 1)
      await tx.emit(thing, 'created', null, { id: uuidv7(), n: round * 10 + n });
  });

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('ChangeFeed', () => {
  it('delivers live changes in position order across partitions, replays from memory and the log, and refuses a pruned cursor', async () => {
    await emitTen(0);
    const logged = () =>
      dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${schema}"."change_log"`);
    while ((await logged())[0].n < 10) await new Promise((resolve) => setTimeout(resolve, 50));

    feed = await ChangeFeed.start({
      kafka,
      logger,
      service: thing.service,
      topics: [thing.topic],
      db: dataSource,
      schema,
      ringSize: 15,
    });
    expect(feed.position).toBe(10);
    const live: PlatformEvent[] = [];
    const subscription = feed.listen({ event: (e) => live.push(e), closed: () => undefined });
    expect(subscription.at).toBe(10);

    for (let round = 1; round <= 3; round += 1) await emitTen(round);
    await until(() => live.length >= 30);
    expect(live.map((event) => event.sequence)).toEqual(
      Array.from({ length: 30 }, (_, index) => index + 11),
    );
    expect(live.map((event) => event.data.after?.n)).toEqual(
      Array.from({ length: 30 }, (_, index) => index + 10),
    );

    // 1-25 are older than the ring (the newest 15): they come from the log.
    const replayed: number[] = [];
    await feed.replay(0, 40, (event) => replayed.push(event.sequence ?? 0));
    expect(replayed).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));

    await dataSource.query(`DELETE FROM "${schema}"."change_log" WHERE position <= 5`);
    await expect(feed.replay(3, 40, () => undefined)).rejects.toBeInstanceOf(CursorExpiredError);
    const fromOldest: number[] = [];
    await feed.replay(5, 40, (event) => fromOldest.push(event.sequence ?? 0));
    expect(fromOldest[0]).toBe(6);

    // A sync read (changesAfter): stops where `take` refuses, bounded by the scan limit.
    const taken: number[] = [];
    const stopped = await feed.changesAfter(
      10,
      (event) => (event.sequence ?? 0) < 15 && taken.push(event.sequence ?? 0) > 0,
      1_000,
    );
    expect(taken).toEqual([11, 12, 13, 14]);
    expect(stopped).toEqual({ reached: 14, more: true });
    expect(await feed.changesAfter(30, () => true, 1_000)).toEqual({ reached: 40, more: false });
    // A whole page is read before the limit is looked at: one page of 500 here.
    expect(await feed.changesAfter(5, () => true, 1)).toEqual({ reached: 40, more: false });
    await expect(feed.changesAfter(3, () => true, 1_000)).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    // Never a position of this log (after a short wait for the relay's commit).
    await expect(feed.changesAfter(41, () => true, 1_000)).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    subscription.close();
  }, 90_000);
});
