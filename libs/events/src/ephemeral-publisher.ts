import type { Producer } from 'kafkajs';
import { uuidv7 } from '@nexus/core';
import { EPHEMERAL_EVENTS, type JsonObject } from '@nexus/db';
import { toKafkaMessage } from './cloud-event';
import type { Kafka } from './kafka';

/** A signal about a subject (a room) by an actor; `after` is its resource. */
export interface EphemeralSignal {
  topic: string;
  verb: string;
  subject: string;
  actor: string;
  after: JsonObject;
}

/**
 * Publishes signals that are not changes (a user typing): straight to
 * Kafka, without the outbox, the change log or a position, in the platform's
 * CloudEvents shape so live streams read them with the changes. Lost on a
 * broker outage, which is what a signal that expires in seconds can afford.
 * The topics and verbs are listed in EPHEMERAL_EVENTS (analytics skips them).
 *
 * Every signal reaches every watcher of its subject, so one client calling
 * in a loop would flood them all: a repeat of the same signal (topic, verb,
 * subject, actor) within `repeatWindowMs` of the last one this replica sent
 * is dropped. Signals are refreshed by repeating them, so a dropped repeat
 * loses nothing a watcher needs.
 */
export class EphemeralPublisher {
  private producer: Promise<Producer> | null = null;
  /** When each signal key last went out, oldest first (re-inserted on every send). */
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly kafka: Kafka,
    private readonly service: string,
    private readonly repeatWindowMs = 2_000,
  ) {}

  /** Sends the signal; false when it repeats one sent within the repeat window (then nothing is sent). */
  async publish(signal: EphemeralSignal): Promise<boolean> {
    if (!EPHEMERAL_EVENTS[signal.topic]?.includes(signal.verb)) {
      throw new Error(`${signal.topic}.${signal.verb} is not a listed ephemeral event`);
    }
    const key = JSON.stringify([signal.topic, signal.verb, signal.subject, signal.actor]);
    if (!this.claim(key)) return false;
    try {
      await this.send(signal);
      return true;
    } catch (error) {
      // Not sent: the caller may try again at once.
      this.lastSent.delete(key);
      throw error;
    }
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await (await producer?.catch(() => null))?.disconnect();
  }

  /** Records a send of `key` now, unless it went out within the window; forgets keys past it. */
  private claim(key: string): boolean {
    const now = Date.now();
    for (const [oldKey, at] of this.lastSent) {
      if (now - at < this.repeatWindowMs) break;
      this.lastSent.delete(oldKey);
    }
    if (this.lastSent.has(key)) return false;
    this.lastSent.set(key, now);
    return true;
  }

  private async send(signal: EphemeralSignal): Promise<void> {
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
