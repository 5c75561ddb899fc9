/**
 * Replay benchmark of the analytics consumer.
 *
 * 1. Throughput: BENCH_EVENTS platform events (default 20,000; 1,000,000 for
 *    the full run) are put on the platform topics first, then a fresh
 *    analytics service replays them: events/s applied to the read models.
 * 2. Latency: with the service caught up, BENCH_LATENCY_EVENTS events are
 *    committed to a service outbox at a steady rate and relayed by the kit's
 *    OutboxRelay: p50/p95/p99 from the outbox insert (the service's commit,
 *    ce_time) to the read-model transaction having committed.
 *
 * Uses DATABASE_URL / KAFKA_BROKERS when set (a scratch database is created
 * in that server), otherwise starts its own ephemeral PostgreSQL and Kafka.
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uuidv7 } from '@nexus/core';
import {
  KitTablesV1Migration,
  createDataSource,
  defineAggregate,
  inTransaction,
  withScratchDatabase,
} from '@nexus/db';
import {
  OutboxRelay,
  createKafka,
  ensureTopics,
  type Kafka,
  type PlatformEvent,
} from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { aiUsageV1, contentV1, workV1 } from '@nexus/proto';
import { startService } from '@nexus/runtime';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { analyticsService } from '../src/analytics.app';
import { analyticsConfig } from '../src/config';
import { PLATFORM_TOPICS } from '../src/consumer/platform-topics';
import { resources, withBrokerTime } from '../src/testing/platform-events';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 2_000);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 200); // events/s offered
const BATCH = 1_000;
const BENCH_SOURCE = '/nexus/bench';
const logger = createLogger({ service: 'analytics-bench', level: 'warn' });

/** A mix like the platform's: documents, chat, tasks, AI calls, sign-ins, over 30 days. */
function benchMessage(i: number) {
  const users = 500;
  const actor = `01900000-0000-7000-8000-${String(i % users).padStart(12, '0')}`;
  const time = new Date(Date.UTC(2020, 0, 1) + (i % 30) * 86_400_000 + (i % 86_400) * 1_000);
  const kind = i % 5;
  const [topic, verb, after] =
    kind === 0
      ? ([
          'nexus.content.document',
          i % 3 ? 'updated' : 'created',
          resources.document({ kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT }),
        ] as const)
      : kind === 1
        ? ([
            'nexus.comms.chat-message',
            'created',
            resources.chatMessage({
              roomId: `01900000-0000-7000-9000-${String(i % 50).padStart(12, '0')}`,
            }),
          ] as const)
        : kind === 2
          ? ([
              'nexus.work.task',
              'created',
              resources.task({
                projectId: `01900000-0000-7000-a000-${String(i % 20).padStart(12, '0')}`,
                status: workV1.TaskStatus.TASK_STATUS_TODO,
              }),
            ] as const)
          : kind === 3
            ? ([
                'nexus.ai-usage.interaction',
                'created',
                resources.interaction({
                  userId: actor,
                  responseModel: `model-${i % 4}`,
                  module: aiUsageV1.Module.MODULE_CHAT,
                  inputTokens: 500,
                  outputTokens: 100,
                  cost: { amount: '0.0042', currencyCode: 'USD' },
                }),
              ] as const)
            : (['nexus.users.user', 'updated', { id: actor }] as const);
  return {
    topic,
    message: withBrokerTime({
      id: String(i),
      event_id: uuidv7(),
      topic,
      message_key: after.id as string,
      type: `${topic}.${verb}`,
      source: BENCH_SOURCE,
      time,
      payload: { before: null, after, changed: [], actor },
    }),
  };
}

async function produce(kafka: Kafka): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = performance.now();
  for (let offset = 0; offset < EVENTS; offset += BATCH) {
    const byTopic = new Map<string, ReturnType<typeof benchMessage>['message'][]>();
    for (let i = offset; i < Math.min(EVENTS, offset + BATCH); i += 1) {
      const { topic, message } = benchMessage(i);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    }
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
  await producer.disconnect();
  return (performance.now() - started) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function bench(databaseUrl: string, brokers: string): Promise<void> {
  const keys = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    JWT_PUBLIC_KEY: keys.publicKey,
    LOG_LEVEL: 'warn',
    ANALYTICS_HTTP_PORT: '0',
    BIND_HOST: '127.0.0.1',
    ANALYTICS_CONSUMER_GROUP: `nexus-analytics-bench-${uuidv7()}`,
  };
  const config = analyticsConfig(env);
  const kafka = createKafka({ brokers, clientId: 'analytics-bench', logger });
  await ensureTopics(kafka, PLATFORM_TOPICS);

  process.stdout.write(`producing ${EVENTS.toLocaleString()} events...\n`);
  const produceSeconds = await produce(kafka);
  process.stdout.write(
    `  produced in ${produceSeconds.toFixed(1)} s (${Math.round(EVENTS / produceSeconds).toLocaleString()} events/s)\n`,
  );

  let replayed = 0;
  let replayDone: () => void = () => undefined;
  const replayFinished = new Promise<void>((resolve) => (replayDone = resolve));
  const probes = new Map<string, number>();
  const latencies: number[] = [];
  let latencyDone: () => void = () => undefined;
  const latencyFinished = new Promise<void>((resolve) => (latencyDone = resolve));
  const onApplied = (event: PlatformEvent) => {
    if (event.source === BENCH_SOURCE) {
      replayed += 1;
      if (replayed === EVENTS) replayDone();
    } else if (probes.has(event.subject)) {
      latencies.push(Date.now() - event.time.getTime());
      probes.delete(event.subject);
      if (latencies.length === LATENCY_EVENTS) latencyDone();
    }
  };

  const started = performance.now();
  const service = await startService(analyticsService(config, { onApplied }), config.service);
  try {
    const progress = setInterval(
      () => process.stdout.write(`  applied ${replayed.toLocaleString()}\n`),
      10_000,
    );
    await replayFinished;
    clearInterval(progress);
    const replaySeconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `replay: ${EVENTS.toLocaleString()} events applied in ${replaySeconds.toFixed(1)} s = ${Math.round(EVENTS / replaySeconds).toLocaleString()} events/s ` +
        `(consumer concurrency ${config.consumerConcurrency}; ${(EVENTS / replaySeconds / (EVENTS / produceSeconds)).toFixed(2)}x the production rate)\n`,
    );

    // Latency: a service's outbox and the kit's relay, at a steady offered rate.
    const schema = 'bench_outbox';
    class BenchKitTables1795678000000 extends KitTablesV1Migration {
      protected readonly schema = schema;
    }
    const outbox = createDataSource({
      url: databaseUrl,
      schema,
      entities: [],
      migrations: [BenchKitTables1795678000000],
      poolSize: 4,
      maxOverflow: 0,
      sqlEcho: false,
      applicationName: 'analytics-bench',
    });
    await outbox.initialize();
    await outbox.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await outbox.runMigrations();
    const chatMessage = defineAggregate<{ id: string }>({
      service: 'comms',
      name: 'chat-message',
      toResource: () => ({}),
    });
    const relay = new OutboxRelay({
      databaseUrl,
      schema,
      kafka,
      logger,
      topics: [chatMessage.topic],
    });
    relay.start();
    const room = uuidv7();
    const interval = 1000 / LATENCY_RATE;
    for (let i = 0; i < LATENCY_EVENTS; i += 1) {
      const message = resources.chatMessage({ roomId: room });
      probes.set(message.id as string, Date.now());
      await inTransaction(outbox, null, (tx) =>
        tx.emitResources(chatMessage, 'created', message.id as string, null, message),
      );
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
    await latencyFinished;
    await relay.stop();
    await outbox.destroy();
    const sorted = [...latencies].sort((a, b) => a - b);
    process.stdout.write(
      `latency (outbox commit -> read model committed), ${LATENCY_EVENTS.toLocaleString()} events at ${LATENCY_RATE}/s: ` +
        `p50 ${percentile(sorted, 50)} ms, p95 ${percentile(sorted, 95)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms\n`,
    );
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  let stack: LocalStack | undefined;
  if (!process.env.DATABASE_URL || !process.env.KAFKA_BROKERS) {
    process.stdout.write('starting an ephemeral PostgreSQL and Kafka...\n');
    stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(tmpdir(), 'analytics-bench-')),
      ephemeral: true,
      withPostgres: !process.env.DATABASE_URL,
      withKafka: !process.env.KAFKA_BROKERS,
    });
  }
  const databaseUrl = process.env.DATABASE_URL ?? stack!.databaseUrl!;
  const brokers = process.env.KAFKA_BROKERS ?? stack!.kafkaBrokers!;
  try {
    await withScratchDatabase(databaseUrl, 'nexus_analytics_bench', (url) => bench(url, brokers));
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
