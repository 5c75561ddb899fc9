import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ProcessedEvent, inTransaction, type Tx } from '@nexus/db';
import { MalformedEventError, parseEvent, type PlatformEvent } from './cloud-event';
import { ensureTopics } from './kafka';

export interface EventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  logger: Logger;
  /** Consumer group id; also the name under which processed event ids are kept. */
  groupId: string;
  topics: (string | RegExp)[];
  /** Applies one event inside the transaction that records it as processed. */
  handle: (event: PlatformEvent, tx: Tx) => Promise<void>;
  /** What to do with a message that is not a platform event (e.g. dead-letter it). */
  onMalformed?: (message: KafkaMessage, topic: string, error: MalformedEventError) => Promise<void>;
  fromBeginning?: boolean;
  /**
   * Called after the transaction of an applied event has committed (not for a
   * duplicate): metrics and latency probes that must not count a rollback.
   */
  onApplied?: (event: PlatformEvent) => void;
  /** Partitions handled at once (each still in order); default 1. */
  partitionsConsumedConcurrently?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  stop(): Promise<void>;
}

/**
 * Consumes platform events with exactly-once effects: the event id is
 * recorded in `processed_events` in the same transaction as the handler's
 * changes, so a redelivered event (at-least-once delivery) changes nothing.
 * A handler error leaves the offset uncommitted and the message is retried.
 */
export async function runEventConsumer(options: EventConsumerOptions): Promise<RunningConsumer> {
  // Consumers may start before the first producer: make named topics exist
  // so subscribing does not race their auto-creation.
  await ensureTopics(
    options.kafka,
    options.topics.filter((topic): topic is string => typeof topic === 'string'),
  );
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: true,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: options.topics,
    fromBeginning: options.fromBeginning ?? true,
  });
  // kafkajs resolves run() once the group has this member: after the broker
  // dropped any member that crashed without leaving, up to its session timeout
  // (30 s). The service must not wait for that to serve; it consumes from then.
  const joined = consumer.run({
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachMessage: async ({ topic, partition, message }) => {
      let event: PlatformEvent;
      try {
        event = parseEvent(message, topic, partition);
      } catch (error) {
        if (!(error instanceof MalformedEventError)) throw error;
        options.logger.warn(
          { topic, partition, offset: message.offset, reason: error.message },
          'malformed event',
        );
        await options.onMalformed?.(message, topic, error);
        return;
      }
      if (await applyOnce(options, event)) options.onApplied?.(event);
    },
  });
  joined.catch((error: unknown) =>
    options.logger.error({ err: error, groupId: options.groupId }, 'event consumer did not start'),
  );
  return {
    consumer,
    stop: async () => {
      // Leaving in the middle of the join would let kafkajs restart the consumer after it.
      await joined.catch(() => undefined);
      await consumer.disconnect();
    },
  };
}

/** Runs the handler unless this consumer already applied the event; returns whether it ran. */
export async function applyOnce(
  options: Pick<EventConsumerOptions, 'dataSource' | 'groupId' | 'handle'>,
  event: PlatformEvent,
): Promise<boolean> {
  return inTransaction(options.dataSource, null, async (tx) => {
    const inserted = await tx.manager
      .createQueryBuilder()
      .insert()
      .into(ProcessedEvent)
      .values({ consumer: options.groupId, eventId: event.id })
      .orIgnore()
      .returning('event_id')
      .execute();
    if ((inserted.raw as unknown[]).length === 0) return false;
    await options.handle(event, tx);
    return true;
  });
}
