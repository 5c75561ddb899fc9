import type { Admin } from 'kafkajs';
import { isPlatformTopic } from './platform-topics';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Messages in the partition the group has not committed yet. */
  lag: number;
}

/**
 * The consumer group's lag on every platform topic partition: the end offset
 * (high watermark) minus the group's committed offset, or minus the start
 * offset where the group has committed nothing (it reads from the beginning).
 */
export async function consumerLag(admin: Admin, groupId: string): Promise<PartitionLag[]> {
  const topics = (await admin.listTopics()).filter(isPlatformTopic).sort();
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const groupOffsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const end of ends) {
      const mine = Number(groupOffsets.find((p) => p.partition === end.partition)?.offset ?? -1);
      const from = mine >= 0 ? mine : Number(end.low);
      lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lags;
}
