import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ProcessedEvent, inTransaction, type Tx } from '@nexus/db';
import { MalformedEventError, parseEvent, type PlatformEvent } from './cloud-event';
import { DeadLetters, capText, deadLetterTopic } from './dead-letter';
import { ensureTopics } from './kafka';

export interface EventConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  logger: Logger;
  /**
   * The consuming service, e.g. `content`: a message that is no platform
   * event, or an event the handler refuses with MalformedEventError, goes to
   * its dead-letter topic `nexus.<service>.dlq` and consumption goes on.
   */
  service: string;
  /** Consumer group id; also the name under which processed event ids are kept. */
  groupId: string;
  topics: (string | RegExp)[];
  /** Applies one event inside the transaction that records it as processed. */
  handle: (event: PlatformEvent, tx: Tx) => Promise<void>;
  /** Called once a message went to the dead-letter topic (metrics). */
  onDeadLettered?: (topic: string, error: MalformedEventError) => void;
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
 * A handler error leaves the offset uncommitted and the message is retried,
 * except MalformedEventError: the event can never be applied, so it is
 * dead-lettered and recorded as processed with none of the handler's changes.
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
  const deadLetters = await DeadLetters.open(options.kafka, deadLetterTopic(options.service));
  const deadLetter = async (
    message: KafkaMessage,
    origin: { topic: string; partition: number },
    error: MalformedEventError,
  ) => {
    options.logger.warn(
      {
        ...origin,
        offset: message.offset,
        // The reason can quote producer-controlled header values of any size.
        reason: capText(error.message),
        deadLetters: deadLetters.topic,
      },
      'dead-lettered a malformed event',
    );
    await deadLetters.send(message, { ...origin, groupId: options.groupId }, error);
    options.onDeadLettered?.(origin.topic, error);
  };
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
        await deadLetter(message, { topic, partition }, error);
        return;
      }
      let applied: boolean;
      try {
        applied = await applyOnce(options, event);
      } catch (error) {
        if (!(error instanceof MalformedEventError)) throw error;
        // Recorded as processed in the transaction that sends it: a redelivery is not sent again.
        await recordOnce(options, event, () => deadLetter(message, { topic, partition }, error));
        return;
      }
      if (applied) options.onApplied?.(event);
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
      await deadLetters.close();
    },
  };
}

/** Runs the handler unless this consumer already applied the event; returns whether it ran. */
export async function applyOnce(
  options: Pick<EventConsumerOptions, 'dataSource' | 'groupId' | 'handle'>,
  event: PlatformEvent,
): Promise<boolean> {
  return recordOnce(options, event, (tx) => options.handle(event, tx));
}

/** Records the event as processed by this consumer and runs `work` in that transaction, once. */
async function recordOnce(
  options: Pick<EventConsumerOptions, 'dataSource' | 'groupId'>,
  event: PlatformEvent,
  work: (tx: Tx) => Promise<void>,
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
    await work(tx);
    return true;
  });
}
