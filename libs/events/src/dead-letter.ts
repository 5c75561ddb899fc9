import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type { Kafka } from './kafka';
import { ensureTopics } from './kafka';

/** Where a service's consumers put what they cannot read: `nexus.<service>.dlq`. */
export function deadLetterTopic(service: string): string {
  return `nexus.${service}.dlq`;
}

/** Where a dead-lettered message came from. */
export interface DeadLetterOrigin {
  topic: string;
  partition: number;
  groupId: string;
}

/**
 * Sends messages a consumer cannot apply to its dead-letter topic, one by
 * one, as they came (key, value, headers) plus why and where from
 * (`dlq_error`, `dlq_topic`, `dlq_partition`, `dlq_offset`,
 * `dlq_consumer_group`), so they can be looked at and replayed.
 */
export class DeadLetters {
  private constructor(
    readonly topic: string,
    private readonly producer: Producer,
  ) {}

  static async open(kafka: Kafka, topic: string): Promise<DeadLetters> {
    await ensureTopics(kafka, [topic]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new DeadLetters(topic, producer);
  }

  async send(
    message: Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>,
    origin: DeadLetterOrigin,
    error: Error,
  ): Promise<void> {
    const headers: IHeaders = {
      ...message.headers,
      dlq_error: `${error.name}: ${error.message}`,
      dlq_topic: origin.topic,
      dlq_partition: String(origin.partition),
      dlq_offset: message.offset,
      dlq_consumer_group: origin.groupId,
    };
    await this.producer.send({
      topic: this.topic,
      messages: [{ key: message.key, value: message.value, headers }],
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
