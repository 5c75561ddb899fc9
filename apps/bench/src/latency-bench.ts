import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { defineAggregate, inTransaction } from '@nexus/db';
import { OutboxRelay, ensureTopics, type Kafka } from '@nexus/events';
import type { Logger } from '@nexus/ops';
import { sleep } from './load';
import { BENCH_SCHEMA } from './relay-bench';
import { percentile } from '@nexus/testing';

export interface LatencyFigures {
  mode: 'notify' | 'poll-500ms';
  sent: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface Item {
  id: string;
  n: number;
}

/**
 * Commit-to-consumer latency: events written through the kit (inTransaction
 * + tx.emit) at a steady rate, relayed by an OutboxRelay, received by a
 * kafkajs consumer; all three in this process so one clock times them.
 * `poll-500ms` is the reference: no NOTIFY trigger, a relay polling every 500 ms.
 */
export async function measureLatency(options: {
  dataSource: DataSource;
  databaseUrl: string;
  kafka: Kafka;
  logger: Logger;
  mode: LatencyFigures['mode'];
  ratePerSecond: number;
  seconds: number;
  tag: string;
  log: (line: string) => void;
}): Promise<LatencyFigures> {
  const { dataSource, kafka, mode } = options;
  const aggregate = defineAggregate<Item>({
    service: 'bench',
    name: `latency-${mode.replace(/\W/g, '-')}-${options.tag}`.toLowerCase(),
    toResource: (item) => ({ id: item.id, n: item.n }),
  });
  if (mode === 'poll-500ms') {
    await dataSource.query(`DROP TRIGGER IF EXISTS "outbox_notify" ON "${BENCH_SCHEMA}"."outbox"`);
  }
  await ensureTopics(kafka, [aggregate.topic]);

  const committedAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: `bench-${aggregate.name}`, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.connect();
  await consumer.subscribe({ topic: aggregate.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString();
      if (key && !receivedAt.has(key)) receivedAt.set(key, performance.now());
    },
  });
  const relay = new OutboxRelay({
    databaseUrl: options.databaseUrl,
    schema: BENCH_SCHEMA,
    kafka,
    logger: options.logger,
    topics: [aggregate.topic],
    ...(mode === 'poll-500ms' ? { pollIntervalMs: 500 } : {}),
  });
  relay.start();
  const emit = async (n: number): Promise<void> => {
    const item = { id: uuidv7(), n };
    await inTransaction(dataSource, null, (tx) => tx.emit(aggregate, 'created', null, item));
    committedAt.set(item.id, performance.now());
  };
  try {
    await joined;
    // Warm-up: partitions assigned, producer connected, fetches flowing, and
    // two seconds at the measured rate so the path is compiled and its
    // buffers grown: the figure is the steady state, not a cold start.
    await paced(Math.round(options.ratePerSecond * 2), options.ratePerSecond, (n) => emit(-1 - n));
    await waitUntil(() => [...committedAt.keys()].every((id) => receivedAt.has(id)), 30_000);
    committedAt.clear();

    await paced(Math.round(options.ratePerSecond * options.seconds), options.ratePerSecond, emit);
    await waitUntil(() => [...committedAt.keys()].every((id) => receivedAt.has(id)), 10_000);

    const latencies = [...committedAt].flatMap(([id, committed]) => {
      const received = receivedAt.get(id);
      // The consumer can see an event a hair before our commit callback runs.
      return received === undefined ? [] : [Math.max(0, received - committed)];
    });
    const figures: LatencyFigures = {
      mode,
      sent: committedAt.size,
      received: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
    };
    options.log(
      `latency (${mode}): p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms, ` +
        `${figures.received}/${figures.sent} received`,
    );
    return figures;
  } finally {
    await relay.stop();
    await consumer.disconnect();
  }
}

/** Calls `write(n)` for n = 0..total-1 at a steady rate, without waiting for one to finish. */
async function paced(
  total: number,
  ratePerSecond: number,
  write: (n: number) => Promise<void>,
): Promise<void> {
  const interval = 1000 / ratePerSecond;
  const started = performance.now();
  const writes: Promise<void>[] = [];
  for (let n = 0; n < total; n += 1) {
    const wait = started + n * interval - performance.now();
    if (wait > 1) await sleep(wait);
    writes.push(write(n));
  }
  await Promise.all(writes);
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}
