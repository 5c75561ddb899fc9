import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { DEAD_LETTER_TOPIC } from './platform-topics';

/**
 * Sends a message analytics cannot apply to the dead-letter topic, as it
 * came (key, value, headers) plus why and where from, so it can be looked at
 * and replayed. At least once: a retried event may be dead-lettered twice.
 */
export async function deadLetter(
  producer: Producer,
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>,
  origin: { topic: string; partition?: number; groupId: string },
  error: Error,
): Promise<void> {
  const headers: IHeaders = {
    ...message.headers,
    dlq_error: `${error.name}: ${error.message}`,
    dlq_topic: origin.topic,
    ...(origin.partition === undefined ? {} : { dlq_partition: String(origin.partition) }),
    dlq_offset: message.offset,
    dlq_consumer_group: origin.groupId,
  };
  await producer.send({
    topic: DEAD_LETTER_TOPIC,
    messages: [{ key: message.key, value: message.value, headers }],
  });
}
