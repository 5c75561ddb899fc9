import type { Consumer } from 'kafkajs';
import { uuidv7 } from '@nexus/core';
import {
  MalformedEventError,
  createKafka,
  ensureTopics,
  parseEvent,
  type PlatformEvent,
} from '@nexus/events';
import { createLogger } from '@nexus/ops';

/** Raw headers as a consumer sees them, for asserting on the wire format. */
export interface CollectedEvent extends PlatformEvent {
  key: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning in a consumer group of its own and keeps
 * every event, so a test can wait for the events its calls caused.
 */
export class EventCollector {
  readonly events: CollectedEvent[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(
    topics: string[],
    brokers = requireEnv('KAFKA_BROKERS'),
  ): Promise<EventCollector> {
    const kafka = createKafka({
      brokers,
      clientId: 'nexus-test-collector',
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    await ensureTopics(kafka, topics);
    const consumer = kafka.consumer({ groupId: `test-${uuidv7()}`, allowAutoTopicCreation: true });
    const collector = new EventCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [
            name,
            String(Array.isArray(value) ? value[0] : value),
          ]),
        );
        let event: PlatformEvent;
        try {
          event = parseEvent(message, topic, partition);
        } catch (error) {
          // Another test may put a malformed message on a shared topic on purpose.
          if (error instanceof MalformedEventError) return;
          throw error;
        }
        collector.events.push({ ...event, key: message.key?.toString() ?? '', headers });
      },
    });
    return collector;
  }

  /** The events about one aggregate, in the order they arrived. */
  about(subject: string): CollectedEvent[] {
    return this.events.filter((event) => event.subject === subject);
  }

  /** Waits until `predicate` holds for the collected events, or fails after `timeoutMs`. */
  async waitFor(
    predicate: (events: CollectedEvent[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<CollectedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${timeoutMs} ms; collected ${this.events.length} events: ${this.events.map((e) => e.type).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.events;
  }

  /** Waits for `count` events about `subject` and returns them. */
  async waitForSubject(
    subject: string,
    count: number,
    timeoutMs = 30_000,
  ): Promise<CollectedEvent[]> {
    await this.waitFor(() => this.about(subject).length >= count, timeoutMs);
    return this.about(subject);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global setup`);
  return value;
}
