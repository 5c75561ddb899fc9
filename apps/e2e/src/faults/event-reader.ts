import { uuidv7 } from '@nexus/core';
import { createKafka, parseEvent, type PlatformEvent } from '@nexus/events';
import { createLogger } from '@nexus/ops';

/** The topics analytics reads: every `nexus.<service>.<aggregate>` but its own. */
const PLATFORM_TOPIC = /^nexus\.(?!analytics\.)[a-z0-9-]+\.[a-z0-9-]+$/;

/**
 * Every message on every platform topic, from the beginning up to the end
 * offsets as they are when called (duplicates included), in partition order.
 * Call it once the outboxes are empty: then nothing relayed is missing.
 */
export async function readAllEvents(brokers: string, timeoutMs = 60_000): Promise<PlatformEvent[]> {
  const kafka = createKafka({
    brokers,
    clientId: 'faults-audit',
    logger: createLogger({ service: 'faults-audit', level: 'silent' }),
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => PLATFORM_TOPIC.test(topic));
  const remaining = new Map<string, bigint>(); // topic:partition -> last offset to read
  for (const topic of topics) {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) remaining.set(`${topic}:${partition}`, BigInt(high) - 1n);
    }
  }
  await admin.disconnect();

  const events: PlatformEvent[] = [];
  if (remaining.size === 0) return events;
  const consumer = kafka.consumer({ groupId: `faults-audit-${uuidv7()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`events not read to the end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            events.push(parseEvent(message, topic, partition));
            const key = `${topic}:${partition}`;
            const last = remaining.get(key);
            if (last !== undefined && BigInt(message.offset) >= last) remaining.delete(key);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return events;
}
