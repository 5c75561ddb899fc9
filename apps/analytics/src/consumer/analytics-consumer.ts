import type { Admin, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  ensureTopics,
  runEventConsumer,
  type Kafka,
  type PlatformEvent,
  type RunningConsumer,
} from '@nexus/events';
import type { Logger } from '@nexus/ops';
import { applyToReadModels } from '../read-models/read-model.writer';
import type { AnalyticsMetrics } from './analytics-metrics';
import { deadLetter } from './dead-letter';
import { UnreadableEventError, readEvent } from './event-reader';
import { DEAD_LETTER_TOPIC, OTHER_PLATFORM_TOPICS, PLATFORM_TOPICS } from './platform-topics';

export interface AnalyticsConsumerOptions {
  kafka: Kafka;
  dataSource: DataSource;
  logger: Logger;
  groupId: string;
  concurrency: number;
  metrics: AnalyticsMetrics;
  /** After an event's read-model change has committed (benchmarks, tests). */
  onApplied?: (event: PlatformEvent) => void;
}

/**
 * The analytics consumer group: every platform event, applied once in effect
 * to the read models; what it cannot read goes to the dead-letter topic and
 * consumption goes on. Also holds the admin client the lag metric uses.
 */
export async function startAnalyticsConsumer(
  options: AnalyticsConsumerOptions,
): Promise<RunningConsumer & { admin: Admin }> {
  const { kafka, logger, groupId, metrics } = options;
  await ensureTopics(kafka, [DEAD_LETTER_TOPIC]);
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();

  // Dead-lettered events commit as processed too; they are not "applied".
  const deadLettered = new Set<string>();
  const running = await runEventConsumer({
    kafka,
    dataSource: options.dataSource,
    logger,
    groupId,
    topics: [...PLATFORM_TOPICS, OTHER_PLATFORM_TOPICS],
    partitionsConsumedConcurrently: options.concurrency,
    handle: async (event, tx) => {
      let read;
      try {
        read = readEvent(event);
      } catch (error) {
        if (!(error instanceof UnreadableEventError)) throw error;
        // Recorded as processed with no read-model change: a redelivery is not dead-lettered again.
        logger.warn(
          { eventId: event.id, type: event.type, reason: error.message },
          'unreadable event',
        );
        await deadLetter(producer, asMessage(event), { ...event, groupId }, error);
        metrics.deadLettered.inc({ topic: event.topic });
        deadLettered.add(event.id);
        return;
      }
      await applyToReadModels(tx.manager, read);
    },
    onApplied: (event) => {
      if (deadLettered.delete(event.id)) return;
      metrics.eventsApplied.inc({ type: event.type });
      options.onApplied?.(event);
    },
    onMalformed: async (message, topic, error) => {
      await deadLetter(producer, message, { topic, groupId }, error);
      metrics.deadLettered.inc({ topic });
    },
  });
  return {
    consumer: running.consumer,
    admin,
    stop: async () => {
      await running.stop();
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/** The Kafka message an event came in (CloudEvents binary mode), for the dead-letter topic. */
function asMessage(event: PlatformEvent) {
  return {
    key: Buffer.from(event.subject),
    value: Buffer.from(JSON.stringify(event.data)),
    offset: event.offset,
    headers: {
      ce_specversion: '1.0',
      ce_id: event.id,
      ce_type: event.type,
      ce_source: event.source,
      ce_time: event.time.toISOString(),
      ce_subject: event.subject,
      'content-type': 'application/json',
    },
  };
}
