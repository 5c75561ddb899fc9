import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { kitTablesMigrations, createDataSource, migrate } from '@nexus/db';
import {
  OutboxRelay,
  ensureTopics,
  toKafkaMessage,
  type Kafka,
  type OutboxRow,
} from '@nexus/events';
import type { Logger } from '@nexus/ops';
import { sleep } from './load';
import { userEventPayload } from './raw-postgres';
import { rate } from './stats';

/** A scratch schema with the kit's tables (outbox, trigger), as a service's first migration makes it. */
export const BENCH_SCHEMA = 'bench_outbox';
const RELAY_TOPIC = 'nexus.bench.relay';
const BATCH = 500;

export const BENCH_KIT_TABLES = kitTablesMigrations(BENCH_SCHEMA, 'BenchKitTables', 1795678000000);

export async function createBenchSchema(databaseUrl: string): Promise<DataSource> {
  const dataSource = createDataSource({
    url: databaseUrl,
    schema: BENCH_SCHEMA,
    entities: [],
    migrations: BENCH_KIT_TABLES,
    poolSize: 4,
    maxOverflow: 12,
    sqlEcho: false,
    applicationName: 'nexus-bench',
  });
  await dataSource.initialize();
  await migrate(dataSource);
  return dataSource;
}

export interface RelayFigures {
  events: number;
  kitRate: number;
  rawRate: number;
}

/** Pre-fills the outbox with `count` user-sized events in one transaction. */
async function fillOutbox(client: Client, count: number): Promise<void> {
  const payload = userEventPayload(
    '0190f7a0-0000-7000-8000-000000000000',
    'someone@bench.example',
    'someone',
  );
  await client.query(
    `INSERT INTO "${BENCH_SCHEMA}"."outbox" (event_id, topic, message_key, type, source, time, payload)
     SELECT gen_random_uuid(), $1, gen_random_uuid()::text, $1 || '.created', '/nexus/bench', now(), $2::jsonb
       FROM generate_series(1, $3::int)`,
    [RELAY_TOPIC, payload, count],
  );
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/**
 * The kit's OutboxRelay draining a pre-filled outbox, against a raw loop
 * doing the least the same guarantee needs (claim with SKIP LOCKED, send
 * with acks=all on an idempotent producer, delete, commit) over the same rows.
 */
export async function measureRelay(options: {
  databaseUrl: string;
  kafka: Kafka;
  logger: Logger;
  events: number;
  log: (line: string) => void;
}): Promise<RelayFigures> {
  const { databaseUrl, kafka, events, log } = options;
  await ensureTopics(kafka, [RELAY_TOPIC]);
  const filler = new Client({ connectionString: databaseUrl });
  await filler.connect();
  try {
    // The kit: warmed up (leader, producer connected) before the measured batch lands.
    let published = 0;
    const relay = new OutboxRelay({
      databaseUrl,
      schema: BENCH_SCHEMA,
      kafka,
      logger: options.logger,
      topics: [RELAY_TOPIC],
      onPublished: (count) => (published += count),
    });
    relay.start();
    await fillOutbox(filler, 1000);
    await waitFor(() => published >= 1000, 60_000, 'the relay warm-up');
    published = 0;
    await fillOutbox(filler, events);
    const kitStarted = performance.now();
    await waitFor(() => published >= events, 600_000, 'the kit relay to drain the outbox');
    const kitRate = rate(events, (performance.now() - kitStarted) / 1000);
    await relay.stop();
    log(`kit OutboxRelay: ${kitRate.toFixed(0)} events/s`);

    const rawRate = await rawDrain(databaseUrl, kafka, filler, events);
    log(`raw drain loop: ${rawRate.toFixed(0)} events/s`);
    return { events, kitRate, rawRate };
  } finally {
    await filler.end();
  }
}

async function rawDrain(
  databaseUrl: string,
  kafka: Kafka,
  filler: Client,
  events: number,
): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const drain = async (): Promise<number> => {
      let drained = 0;
      for (;;) {
        await client.query('BEGIN');
        const { rows } = await client.query<OutboxRow>(
          `SELECT id, event_id, topic, message_key, type, source, time, payload
             FROM "${BENCH_SCHEMA}"."outbox" ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [BATCH],
        );
        if (rows.length === 0) {
          await client.query('COMMIT');
          return drained;
        }
        await producer.sendBatch({
          acks: -1,
          topicMessages: [{ topic: RELAY_TOPIC, messages: rows.map(toKafkaMessage) }],
        });
        await client.query(`DELETE FROM "${BENCH_SCHEMA}"."outbox" WHERE id = ANY($1::bigint[])`, [
          rows.map((row) => row.id),
        ]);
        await client.query('COMMIT');
        drained += rows.length;
      }
    };
    await fillOutbox(filler, 1000);
    await drain();
    await fillOutbox(filler, events);
    const started = performance.now();
    const drained = await drain();
    return rate(drained, (performance.now() - started) / 1000);
  } finally {
    await producer.disconnect();
    await client.end();
  }
}
