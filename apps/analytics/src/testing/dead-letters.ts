import type { Consumer, KafkaMessage } from 'kafkajs';
import { uuidv7 } from '@nexus/core';
import type { Kafka } from '@nexus/events';
import { DEAD_LETTER_TOPIC } from '../consumer/platform-topics';

/** Reads the dead-letter topic from the beginning, keeping what one consumer group sent. */
export class DeadLetterReader {
  readonly messages: KafkaMessage[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async start(kafka: Kafka, groupId: string): Promise<DeadLetterReader> {
    const consumer = kafka.consumer({ groupId: `dlq-reader-${uuidv7()}` });
    const reader = new DeadLetterReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [DEAD_LETTER_TOPIC], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (header(message, 'dlq_consumer_group') === groupId) reader.messages.push(message);
      },
    });
    return reader;
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  return (Array.isArray(value) ? value[0] : value)?.toString();
}
