import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  runEventConsumer,
  type Kafka,
  type PlatformEvent,
  type RunningConsumer,
} from '@nexus/events';
import type { Logger } from '@nexus/ops';
import { applyToReadModels } from '../read-models/read-model.writer';
import type { AnalyticsMetrics } from './analytics-metrics';
import { readEvent } from './event-reader';
import { OTHER_PLATFORM_TOPICS, PLATFORM_TOPICS } from './platform-topics';

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
  const admin = kafka.admin();
  await admin.connect();

  const running = await runEventConsumer({
    kafka,
    dataSource: options.dataSource,
    logger,
    service: 'analytics',
    groupId,
    topics: [...PLATFORM_TOPICS, OTHER_PLATFORM_TOPICS],
    partitionsConsumedConcurrently: options.concurrency,
    // Batch mode: a fetched batch is one transaction and a few multi-row
    // upserts. An event readEvent refuses (UnreadableEventError) makes the kit
    // apply that batch one event at a time and dead-letter that one.
    handleBatch: async (events, tx) => applyToReadModels(tx.manager, events.map(readEvent)),
    onApplied: (event) => {
      metrics.eventsApplied.inc({ type: event.type });
      options.onApplied?.(event);
    },
    onDeadLettered: (topic) => metrics.deadLettered.inc({ topic }),
  });
  return {
    consumer: running.consumer,
    groupId: running.groupId,
    lag: running.lag,
    admin,
    stop: async () => {
      await running.stop();
      await admin.disconnect();
    },
  };
}
