import type { Message, Producer } from 'kafkajs';
import { uuidv7 } from '@nexus/core';
import type { JsonObject } from '@nexus/db';
import { toKafkaMessage, type Kafka, type OutboxRow } from '@nexus/events';
import { aiUsageV1, commsV1, contentV1, workV1 } from '@nexus/proto';

/** One platform event as a service's outbox would write it. */
export interface TestEvent {
  topic: string;
  verb: string;
  subject: string;
  before: JsonObject | null;
  after: JsonObject | null;
  actor: string | null;
  time: Date;
  eventId: string;
  /** ce_type when it is not `<topic>.<verb>` (a misrouted event). */
  type?: string;
}

/** An event of `topic` for the resource `after` (or `before` when deleted). */
export function platformEvent(
  topic: string,
  verb: string,
  change: {
    before?: JsonObject | null;
    after?: JsonObject | null;
    actor?: string | null;
    time: Date;
  },
): TestEvent {
  const resource = change.after ?? change.before;
  return {
    topic,
    verb,
    subject: typeof resource?.id === 'string' ? resource.id : uuidv7(),
    before: change.before ?? null,
    after: change.after ?? null,
    actor: change.actor ?? null,
    time: change.time,
    eventId: uuidv7(),
  };
}

/** The resources in proto3 JSON, as the services put them in events. */
export const resources = {
  document: (fields: Partial<contentV1.Document>) =>
    contentV1.Document.toJSON(
      contentV1.Document.fromPartial({ id: uuidv7(), title: 'Plan', ownerId: uuidv7(), ...fields }),
    ) as JsonObject,
  email: (fields: Partial<commsV1.Email>) =>
    commsV1.Email.toJSON(
      commsV1.Email.fromPartial({ id: uuidv7(), ownerId: uuidv7(), subject: 'Hello', ...fields }),
    ) as JsonObject,
  chatMessage: (fields: Partial<commsV1.ChatMessage>) =>
    commsV1.ChatMessage.toJSON(
      commsV1.ChatMessage.fromPartial({ id: uuidv7(), authorId: uuidv7(), text: 'hi', ...fields }),
    ) as JsonObject,
  task: (fields: Partial<workV1.Task>) =>
    workV1.Task.toJSON(
      workV1.Task.fromPartial({ id: uuidv7(), title: 'Do it', reporterId: uuidv7(), ...fields }),
    ) as JsonObject,
  interaction: (fields: Partial<aiUsageV1.AiInteraction>) =>
    aiUsageV1.AiInteraction.toJSON(
      aiUsageV1.AiInteraction.fromPartial({
        id: uuidv7(),
        userId: uuidv7(),
        provider: 'openai',
        operation: aiUsageV1.Operation.OPERATION_CHAT,
        status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
        ...fields,
      }),
    ) as JsonObject,
};

/**
 * The relay's message, stamped with the broker time of now: tests date their
 * events years back (ce_time) to keep their days to themselves, and Kafka's
 * time-based retention would delete messages with such old timestamps.
 */
export function withBrokerTime(row: OutboxRow): Message {
  return { ...toKafkaMessage(row), timestamp: String(Date.now()) };
}

/** Publishes events the way the outbox relay does: CloudEvents headers, key = aggregate id. */
export class EventPublisher {
  private constructor(private readonly producer: Producer) {}

  static async connect(kafka: Kafka): Promise<EventPublisher> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return new EventPublisher(producer);
  }

  async publish(...events: TestEvent[]): Promise<void> {
    for (const event of events) {
      await this.producer.send({
        topic: event.topic,
        messages: [
          withBrokerTime({
            id: '0',
            event_id: event.eventId,
            topic: event.topic,
            message_key: event.subject,
            type: event.type ?? `${event.topic}.${event.verb}`,
            source: `/nexus/${event.topic.split('.')[1]}`,
            time: event.time,
            payload: {
              before: event.before,
              after: event.after,
              changed: [],
              actor: event.actor,
            },
          }),
        ],
      });
    }
  }

  /** Sends raw bytes, e.g. a message that is no platform event. */
  async publishRaw(
    topic: string,
    key: string,
    value: string,
    headers: Record<string, string> = {},
  ) {
    await this.producer.send({ topic, messages: [{ key, value, headers }] });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** A day no other test run writes to (events carry their own ce_time), as YYYY-MM-DD. */
export function isolatedDay(): Date {
  const days = Math.floor(Math.random() * 7_000);
  return new Date(Date.UTC(2001, 0, 1) + days * 86_400_000 + 12 * 3_600_000);
}

export function dayOf(time: Date, plusDays = 0): string {
  return new Date(time.getTime() + plusDays * 86_400_000).toISOString().slice(0, 10);
}

export function atDay(time: Date, plusDays: number): Date {
  return new Date(time.getTime() + plusDays * 86_400_000);
}
