import type { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Messages in the partition the group has not committed yet. */
  lag: number;
}

/**
 * A consumer group's lag on every partition of the topics it subscribes to
 * (names, or patterns matched against the broker's topic list): the end
 * offset minus the group's committed offset. Where the group has committed
 * nothing yet, it is measured from where the group starts: the first offset
 * for a group that reads from the beginning, else the end (no lag).
 * One offsets request for the group, one per topic for its end offsets.
 */
export async function measureConsumerLag(
  admin: Admin,
  groupId: string,
  subscribed: readonly (string | RegExp)[],
  fromBeginning: boolean,
): Promise<PartitionLag[]> {
  const topics = await topicsOf(admin, subscribed);
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const ours = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const end of ends) {
      const offset = Number(ours.find((p) => p.partition === end.partition)?.offset ?? -1);
      const from = offset >= 0 ? offset : Number(fromBeginning ? end.low : end.high);
      lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lags;
}

async function topicsOf(admin: Admin, subscribed: readonly (string | RegExp)[]): Promise<string[]> {
  const names = new Set(subscribed.filter((topic): topic is string => typeof topic === 'string'));
  const patterns = subscribed.filter((topic): topic is RegExp => topic instanceof RegExp);
  if (patterns.length > 0) {
    for (const topic of await admin.listTopics()) {
      if (patterns.some((pattern) => new RegExp(pattern.source, pattern.flags).test(topic))) {
        names.add(topic);
      }
    }
  }
  return [...names].sort();
}
