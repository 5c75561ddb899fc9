import type { Producer } from 'kafkajs';
import { uuidv7 } from '@nexus/core';
import { EPHEMERAL_EVENTS, type JsonObject } from '@nexus/db';
import { toKafkaMessage } from './cloud-event';
import type { Kafka } from './kafka';

/**
 * Publishes signals that are not changes (a user typing): straight to
 * Kafka, without the outbox, the change log or a position, in the platform's
 * CloudEvents shape so live streams read them with the changes. Lost on a
 * broker outage, which is what a signal that expires in seconds can afford.
 * The topics and verbs are listed in EPHEMERAL_EVENTS (analytics skips them).
 */
export class EphemeralPublisher {
  private producer: Promise<Producer> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly service: string,
  ) {}

  async publish(signal: {
    topic: string;
    verb: string;
    subject: string;
    actor: string;
    after: JsonObject;
  }): Promise<void> {
    if (!EPHEMERAL_EVENTS[signal.topic]?.includes(signal.verb)) {
      throw new Error(`${signal.topic}.${signal.verb} is not a listed ephemeral event`);
    }
    const producer = await (this.producer ??= this.connect());
    const time = new Date();
    await producer.send({
      topic: signal.topic,
      acks: 1,
      messages: [
        toKafkaMessage({
          id: '',
          event_id: uuidv7(),
          topic: signal.topic,
          message_key: signal.subject,
          type: `${signal.topic}.${signal.verb}`,
          source: `/nexus/${this.service}`,
          time,
          payload: { before: null, after: signal.after, changed: [], actor: signal.actor },
        }),
      ],
    });
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await (await producer?.catch(() => null))?.disconnect();
  }

  private async connect(): Promise<Producer> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: true });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      this.producer = null;
      throw error;
    }
  }
}
