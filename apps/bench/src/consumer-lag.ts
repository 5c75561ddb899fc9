import type { Admin } from 'kafkajs';
import type { Client } from 'pg';

// The topics the analytics consumer reads (apps/analytics platform-topics.ts:
// every nexus.<service>.<aggregate> but analytics' own and the dead letters).
const PLATFORM_TOPIC = /^nexus\.(?!analytics\.|bench\.)[a-z0-9-]+\.(?!dlq$)[a-z0-9-]+$/;

/**
 * Messages on the platform's topics that `groupId` has not committed yet:
 * end offset minus the committed offset (minus the start offset where the
 * group has committed nothing, as it then reads from the beginning).
 */
export async function groupLag(admin: Admin, groupId: string): Promise<number> {
  const topics = (await admin.listTopics()).filter((topic) => PLATFORM_TOPIC.test(topic));
  if (topics.length === 0) return 0;
  const committed = await admin.fetchOffsets({ groupId, topics });
  let lag = 0;
  for (const topic of topics) {
    const mine = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const offset = Number(mine.find((p) => p.partition === end.partition)?.offset ?? -1);
      lag += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
    }
  }
  return lag;
}

/** Events committed in the services' outboxes that their relays have not published yet. */
export async function outboxBacklog(client: Client, schemas: readonly string[]): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    schemas.map((schema) => `SELECT count(*) AS n FROM "${schema}"."outbox"`).join(' UNION ALL '),
  );
  return rows.reduce((sum, row) => sum + Number(row.n), 0);
}

/**
 * Commits `groupId`'s offsets at the end of every platform topic before its
 * consumer starts, so it begins with what is written from now on rather than
 * everything the earlier measurements wrote.
 */
export async function startGroupAtEnd(admin: Admin, groupId: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((topic) => PLATFORM_TOPIC.test(topic));
  for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: false });
}
