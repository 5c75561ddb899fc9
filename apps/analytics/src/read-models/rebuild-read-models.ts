import type { DataSource } from 'typeorm';
import type { Kafka } from '@nexus/events';
import { READ_MODEL_TABLES } from './read-model.writer';

export interface RebuildResult {
  /** Topics whose committed offsets went back to the earliest. */
  topicsReset: string[];
}

/**
 * Starts the read models over: the group's offsets go back to the earliest
 * on every topic it has read, then the read models and the group's processed
 * event ids are emptied in one transaction. The consumers must be stopped
 * (Kafka refuses to move the offsets of an active group); when they start
 * again they replay every retained event and end at the same numbers.
 * Offsets first: a crash in between leaves the old numbers (every replayed
 * event is still marked processed), and running the rebuild again finishes it.
 */
export async function rebuildReadModels(options: {
  dataSource: DataSource;
  kafka: Kafka;
  groupId: string;
}): Promise<RebuildResult> {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([options.groupId]);
    const group = groups[0];
    if (group && group.members.length > 0) {
      throw new Error(
        `consumer group ${options.groupId} has ${group.members.length} active member(s): stop the analytics service first`,
      );
    }
    const committed = await admin.fetchOffsets({ groupId: options.groupId });
    const topics = committed.map((entry) => entry.topic).sort();
    for (const topic of topics) {
      await admin.resetOffsets({ groupId: options.groupId, topic, earliest: true });
    }
    await options.dataSource.transaction(async (manager) => {
      await manager.query(
        `TRUNCATE ${READ_MODEL_TABLES.map((table) => `analytics.${table}`).join(', ')}`,
      );
      await manager.query(`DELETE FROM analytics.processed_events WHERE consumer = $1`, [
        options.groupId,
      ]);
    });
    return { topicsReset: topics };
  } finally {
    await admin.disconnect();
  }
}
