import type { Admin } from 'kafkajs';
import { measureConsumerLag, type PartitionLag } from '@nexus/events';
import { OTHER_PLATFORM_TOPICS, PLATFORM_TOPICS } from './platform-topics';

export type { PartitionLag };

/**
 * The consumer group's lag on every platform topic partition, as the kit
 * measures it for the `nexus_consumer_lag` gauge: the consumer's own
 * subscription, read from the beginning.
 */
export function consumerLag(admin: Admin, groupId: string): Promise<PartitionLag[]> {
  return measureConsumerLag(admin, groupId, [...PLATFORM_TOPICS, OTHER_PLATFORM_TOPICS], true);
}
