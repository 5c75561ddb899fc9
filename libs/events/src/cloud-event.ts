import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { isUuid } from '@nexus/core';
import { EVENT_TYPE, type JsonObject } from '@nexus/db';

/** The value of every platform event (docs/architecture.md, Conventions). */
export interface ChangePayload {
  before: JsonObject | null;
  after: JsonObject | null;
  changed: string[];
  actor: string | null;
}

/** A platform change event as a consumer sees it. */
export interface PlatformEvent {
  id: string;
  type: string;
  source: string;
  subject: string;
  time: Date;
  topic: string;
  partition: number;
  offset: string;
  /**
   * The event's position in its service's change log (`ce_sequence`): gapless
   * per service, in publish order. Absent on events that skip the outbox.
   */
  sequence?: number;
  data: ChangePayload;
}

/** A row of the outbox, as the relay reads it. */
export interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  type: string;
  source: string;
  time: Date;
  payload: unknown;
  /** The trace context of the write; null when it was not traced (absent: not read). */
  traceparent?: string | null;
}

/** An outbox row with the change log position the relay gave it. */
export interface PositionedRow extends OutboxRow {
  position: number;
}

/**
 * CloudEvents Kafka protocol binding, binary content mode. The row's
 * traceparent, if any, travels as the distributed-tracing extension
 * (`ce_traceparent`); its position as the sequence extension (`ce_sequence`,
 * a decimal integer).
 */
export function toKafkaMessage(row: OutboxRow | PositionedRow): Message {
  const message: Message = {
    key: row.message_key,
    value: JSON.stringify(row.payload),
    timestamp: String(row.time.getTime()),
    headers: {
      ce_specversion: '1.0',
      ce_id: row.event_id,
      ce_type: row.type,
      ce_source: row.source,
      ce_time: row.time.toISOString(),
      ce_subject: row.message_key,
      'content-type': 'application/json',
    },
  };
  if (row.traceparent && message.headers) message.headers.ce_traceparent = row.traceparent;
  if ('position' in row && message.headers) message.headers.ce_sequence = String(row.position);
  return message;
}

export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
}

function header(headers: IHeaders | undefined, name: string): string {
  const value = headers?.[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) throw new MalformedEventError(`missing header ${name}`);
  return text.toString();
}

/** Reads a Kafka message as a platform event, or throws MalformedEventError saying why. */
export function parseEvent(message: KafkaMessage, topic: string, partition: number): PlatformEvent {
  if (header(message.headers, 'ce_specversion') !== '1.0') {
    throw new MalformedEventError('unsupported ce_specversion');
  }
  const id = header(message.headers, 'ce_id');
  if (!isUuid(id)) throw new MalformedEventError(`ce_id ${id} is not a UUID`);
  const time = new Date(header(message.headers, 'ce_time'));
  if (Number.isNaN(time.getTime())) throw new MalformedEventError('ce_time is not a timestamp');
  let data: ChangePayload;
  try {
    data = JSON.parse(message.value?.toString('utf8') ?? '') as ChangePayload;
  } catch {
    throw new MalformedEventError('value is not JSON');
  }
  if (typeof data !== 'object' || data === null || !('before' in data) || !('after' in data)) {
    throw new MalformedEventError('value is not a change payload');
  }
  // The kit's own spelling rule (EVENT_TYPE), the one producers are held to.
  const type = header(message.headers, 'ce_type');
  if (!EVENT_TYPE.test(type)) {
    throw new MalformedEventError(`ce_type ${type} is not nexus.<service>.<aggregate>.<verb>`);
  }
  if (!type.startsWith(`${topic}.`)) {
    throw new MalformedEventError(`ce_type ${type} does not belong on topic ${topic}`);
  }
  // Consumers look aggregates up by subject: a non-id would fail every retry.
  const subject = header(message.headers, 'ce_subject');
  if (!isUuid(subject)) throw new MalformedEventError(`ce_subject ${subject} is not an id`);
  return {
    id,
    type,
    source: header(message.headers, 'ce_source'),
    subject,
    time,
    topic,
    partition,
    offset: message.offset,
    ...sequenceOf(message.headers),
    data: { ...data, changed: Array.isArray(data.changed) ? data.changed : [] },
  };
}

/** `ce_sequence` when it is a position (a positive safe integer); absent otherwise. */
function sequenceOf(headers: IHeaders | undefined): { sequence?: number } {
  const value = headers?.ce_sequence;
  const text = (Array.isArray(value) ? value[0] : value)?.toString();
  if (text === undefined || !/^[1-9]\d{0,15}$/.test(text)) return {};
  const sequence = Number(text);
  return Number.isSafeInteger(sequence) ? { sequence } : {};
}
