import type { Consumer, KafkaMessage } from 'kafkajs';
import { uuidv7 } from '@nexus/core';
import { createKafka, deadLetterTopic, ensureTopics } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { requireEnv } from './event-collector';

/** A header of a Kafka message as text. */
export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  return (Array.isArray(value) ? value[0] : value)?.toString();
}

/**
 * Reads a service's dead-letter topic (`nexus.<service>.dlq`) from the
 * beginning and keeps what one consumer group sent there; also publishes the
 * malformed messages a test feeds a consumer.
 */
export class DeadLetterReader {
  readonly messages: KafkaMessage[] = [];

  private constructor(
    private readonly consumer: Consumer,
    private readonly kafka: ReturnType<typeof createKafka>,
  ) {}

  static async start(
    service: string,
    groupId: string,
    brokers = requireEnv('KAFKA_BROKERS'),
  ): Promise<DeadLetterReader> {
    const kafka = createKafka({
      brokers,
      clientId: 'nexus-test-dlq-reader',
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    const topic = deadLetterTopic(service);
    await ensureTopics(kafka, [topic]);
    const consumer = kafka.consumer({ groupId: `dlq-reader-${uuidv7()}` });
    const reader = new DeadLetterReader(consumer, kafka);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (header(message, 'dlq_consumer_group') === groupId) reader.messages.push(message);
      },
    });
    return reader;
  }

  /** The dead-lettered messages with this key. */
  withKey(key: string): KafkaMessage[] {
    return this.messages.filter((message) => message.key?.toString() === key);
  }

  /** Waits until a message with this key was dead-lettered, or fails after `timeoutMs`. */
  async waitForKey(key: string, timeoutMs = 30_000): Promise<KafkaMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.withKey(key).length === 0) {
      if (Date.now() > deadline) throw new Error(`nothing keyed ${key} was dead-lettered`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.withKey(key)[0];
  }

  /** Sends raw bytes to a topic: a message that is no valid platform event. */
  async publishRaw(
    topic: string,
    message: { key: string; value: string; headers: Record<string, string> },
  ): Promise<void> {
    const producer = this.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [message] });
    await producer.disconnect();
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/**
 * A `nexus.users.user.deleted` event about `userId` (the message key, so it
 * shares the partition of that user's real events) whose ce_subject is not an
 * id: what a consumer must dead-letter instead of retrying forever.
 */
export function poisonedUserDeleted(userId: string): {
  key: string;
  value: string;
  headers: Record<string, string>;
} {
  return {
    key: userId,
    value: JSON.stringify({ before: null, after: null, changed: [], actor: null }),
    headers: {
      ce_specversion: '1.0',
      ce_id: uuidv7(),
      ce_type: 'nexus.users.user.deleted',
      ce_source: '/nexus/users',
      ce_subject: 'not-a-user-id',
      ce_time: new Date().toISOString(),
      'content-type': 'application/json',
    },
  };
}
