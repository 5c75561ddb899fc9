import {
  KafkaJSProtocolError,
  type IHeaders,
  type KafkaMessage,
  type Message,
  type Producer,
} from 'kafkajs';
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

type Original = Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset'>;

/**
 * The most a dead-letter reason (`dlq_error`) or a logged reason keeps, in
 * UTF-8 bytes: a reason can quote producer-controlled header values of any size.
 */
export const MAX_REASON_BYTES = 200;
/** A key larger than this is left out of a stub record. */
const MAX_STUB_KEY_BYTES = 1024;

/** `text` cut to at most `maxBytes` UTF-8 bytes at a whole character, marked with `…` when cut. */
export function capText(text: string, maxBytes = MAX_REASON_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const marker = '…';
  const budget = maxBytes - Buffer.byteLength(marker, 'utf8');
  let bytes = 0;
  let end = 0;
  // Iterating a string yields whole code points, so a surrogate pair is never split.
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return `${text.slice(0, end)}${marker}`;
}

/** Why a message was dead-lettered, capped: `<name>: <message>`. */
export function deadLetterReason(error: Error): string {
  return capText(`${error.name}: ${error.message}`);
}

function originHeaders(message: Original, origin: DeadLetterOrigin, error: Error): IHeaders {
  return {
    dlq_error: deadLetterReason(error),
    dlq_topic: origin.topic,
    dlq_partition: String(origin.partition),
    dlq_offset: message.offset,
    dlq_consumer_group: origin.groupId,
  };
}

/** The dead-letter record of a message: as it came (key, value, headers) plus why and where from. */
export function deadLetterRecord(
  message: Original,
  origin: DeadLetterOrigin,
  error: Error,
): Message {
  return {
    key: message.key,
    value: message.value,
    headers: { ...message.headers, ...originHeaders(message, origin, error) },
  };
}

/**
 * The record sent when the broker refuses the full one (too large): where
 * from and why only, `dlq_value_dropped` saying how many bytes the value had,
 * no value, none of the original headers, the key only if it is small.
 */
export function deadLetterStub(message: Original, origin: DeadLetterOrigin, error: Error): Message {
  const key = message.key && message.key.length <= MAX_STUB_KEY_BYTES ? message.key : null;
  return {
    key,
    value: null,
    headers: {
      ...originHeaders(message, origin, error),
      dlq_value_dropped: String(message.value?.length ?? 0),
    },
  };
}

/**
 * Whether the broker answered a send with an error (KafkaJSProtocolError,
 * e.g. MESSAGE_TOO_LARGE), possibly wrapped by the producer's retrier, as
 * opposed to not being reached (connection, timeout), which is worth a retry.
 */
export function brokerRefused(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current instanceof KafkaJSProtocolError || current.name === 'KafkaJSProtocolError')
      return true;
    current = current.cause;
  }
  return false;
}

/**
 * Sends messages a consumer cannot apply to its dead-letter topic, one by
 * one, as they came (key, value, headers) plus why and where from
 * (`dlq_error`, capped to MAX_REASON_BYTES; `dlq_topic`, `dlq_partition`,
 * `dlq_offset`, `dlq_consumer_group`), so they can be looked at and replayed.
 * A record the broker refuses (a message near the size limit plus these
 * headers is over it) is sent as its stub instead (deadLetterStub): a send
 * that keeps failing would block the partition, its offset redelivered forever.
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

  async send(message: Original, origin: DeadLetterOrigin, error: Error): Promise<void> {
    try {
      await this.producer.send({
        topic: this.topic,
        messages: [deadLetterRecord(message, origin, error)],
      });
    } catch (sendError) {
      if (!brokerRefused(sendError)) throw sendError;
      await this.producer.send({
        topic: this.topic,
        messages: [deadLetterStub(message, origin, error)],
      });
    }
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
