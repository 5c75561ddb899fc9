import { createKafka, type Kafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { query } from './db-probes';
import { GRPC_SERVICES, SERVICE_PROTOS } from '../platform';

/** The platform's event topics (analytics' own included). */
const PLATFORM_TOPIC = /^nexus\.[a-z0-9-]+\.[a-z0-9-]+$/;

export interface PartitionPlacement {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

function probeClient(brokers: string): Kafka {
  return createKafka({
    brokers,
    clientId: 'faults-cluster-probe',
    logger: createLogger({ service: 'faults-cluster-probe', level: 'silent' }),
  });
}

/** Leader, replicas and in-sync replicas of every partition of the platform topics. */
export async function platformPartitions(brokers: string): Promise<PartitionPlacement[]> {
  const admin = probeClient(brokers).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => PLATFORM_TOPIC.test(topic));
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    return metadata.flatMap((topic) =>
      topic.partitions.map((p) => ({
        topic: topic.name,
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** The node id of the cluster's active controller. */
export async function activeController(brokers: string): Promise<number> {
  const admin = probeClient(brokers).admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).controller ?? -1;
  } finally {
    await admin.disconnect();
  }
}

/** Age in seconds of the oldest event waiting in any outbox: how far the relays are behind. */
export async function oldestOutboxAgeS(databaseUrl: string): Promise<number> {
  const sql = GRPC_SERVICES.map(
    (service) =>
      `SELECT extract(epoch FROM now() - min("time"))::float AS age FROM "${SERVICE_PROTOS[service].schema}"."outbox"`,
  ).join(' UNION ALL ');
  const rows = await query<{ age: number | null }>(databaseUrl, sql);
  return Math.max(0, ...rows.map((row) => row.age ?? 0));
}
