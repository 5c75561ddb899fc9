import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { uuidv7 } from '@nexus/core';
import { MalformedEventError, parseEvent, type PlatformEvent } from './cloud-event';
import { ensureTopics } from './kafka';

export interface TopicTailOptions {
  kafka: Kafka;
  logger: Logger;
  /** Names the tail in logs and in its consumer group id (`<name>-<uuid>`). */
  name: string;
  topics: string[];
  /** Replays what was published from this time on (ms), then follows live. */
  sinceMs: number;
  /** Called for every event, in offset order per partition; must not throw. */
  onEvent: (event: PlatformEvent) => void;
}

export interface TopicTail {
  /** Resolves once every event published before the tail started has been seen. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows topics in every process that needs them, rather than sharing
 * their events out between the members of a consumer group: each process
 * reads every partition from `sinceMs` on, and commits nothing (a process
 * that starts again replays from its own `sinceMs`). For state every replica
 * must hold in memory (the token revocations) and, later, live feeds.
 *
 * kafkajs has no manual partition assignment, so the tail is the only
 * member of a consumer group of its own, whose offsets it never commits.
 */
export async function tailTopics(options: TopicTailOptions): Promise<TopicTail> {
  const { kafka, logger, topics } = options;
  await ensureTopics(kafka, topics);
  const starts = await retried(() => startOffsets(kafka, topics, options.sinceMs));
  const pending = new Map(
    starts
      .filter((start) => BigInt(start.offset) < BigInt(start.high))
      .map((start) => [key(start.topic, start.partition), BigInt(start.high)]),
  );
  let markCaughtUp = () => {};
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  const seen = (topic: string, partition: number, offset: string) => {
    const target = pending.get(key(topic, partition));
    if (target === undefined || BigInt(offset) + 1n < target) return;
    pending.delete(key(topic, partition));
    if (pending.size === 0) markCaughtUp();
  };
  if (pending.size === 0) markCaughtUp();

  const consumer: Consumer = kafka.consumer({
    groupId: `${options.name}-${uuidv7()}`,
    // Live feeds want each event as soon as it is there.
    maxWaitTimeInMs: 100,
  });
  // Where each partition is to be read from next: the start, then past what was seen.
  const next = new Map(starts.map((start) => [key(start.topic, start.partition), start]));
  // Seeks go with every join of the group: kafkajs drops them when run()
  // crashes and restarts the group (the coordinator still loading on a fresh
  // broker), and refuses them before the group exists.
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const position of next.values()) consumer.seek(position);
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        try {
          options.onEvent(parseEvent(message, batch.topic, batch.partition));
        } catch (error) {
          if (!(error instanceof MalformedEventError)) throw error;
          logger.warn(
            { topic: batch.topic, partition: batch.partition, offset: message.offset },
            `${options.name}: skipped a malformed event`,
          );
        }
        seen(batch.topic, batch.partition, message.offset);
        next.set(key(batch.topic, batch.partition), {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(message.offset) + 1n).toString(),
          high: '0',
        });
      }
    },
  });
  return {
    caughtUp,
    stop: () => consumer.disconnect(),
  };
}

interface StartOffset {
  topic: string;
  partition: number;
  offset: string;
  /** The partition's end when the tail started: caught up once read to here. */
  high: string;
}

async function startOffsets(
  kafka: Kafka,
  topics: string[],
  sinceMs: number,
): Promise<StartOffset[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const perTopic = await Promise.all(
      topics.map(async (topic) => {
        const [since, ends] = await Promise.all([
          admin.fetchTopicOffsetsByTimestamp(topic, sinceMs),
          admin.fetchTopicOffsets(topic),
        ]);
        return since.map(({ partition, offset }) => ({
          topic,
          partition,
          offset,
          high: ends.find((end) => end.partition === partition)?.high ?? offset,
        }));
      }),
    );
    return perTopic.flat();
  } finally {
    await admin.disconnect();
  }
}

/**
 * Topics just created (services start side by side on a fresh broker) can
 * answer offset requests with "not the leader" for a moment after their
 * metadata shows a leader: asked again until `timeoutMs`, as ensureTopics does.
 */
async function retried<T>(ask: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await ask();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const key = (topic: string, partition: number) => `${topic}/${partition}`;
