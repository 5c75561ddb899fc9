import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { MalformedEventError } from './cloud-event';
import {
  MAX_REASON_BYTES,
  brokerRefused,
  capText,
  deadLetterRecord,
  deadLetterStub,
} from './dead-letter';

const origin = { topic: 'nexus.things', partition: 2, groupId: 'things-consumer' };
const huge = 'x'.repeat(200 * 1024);
const message = {
  key: Buffer.from('key-1'),
  value: Buffer.alloc(900 * 1024, 'v'),
  headers: { ce_specversion: '1.0', ce_type: huge },
  offset: '41',
};
const error = new MalformedEventError(`ce_type ${huge} is not nexus.<service>.<aggregate>.<verb>`);

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

describe('capText', () => {
  it('keeps a short text as it is', () => {
    expect(capText('MalformedEventError: missing header ce_id')).toBe(
      'MalformedEventError: missing header ce_id',
    );
  });

  it('cuts a long text to the byte limit at a whole character', () => {
    for (const unit of ['a', 'é', '€', '😀']) {
      const capped = capText(unit.repeat(1000));
      expect(Buffer.byteLength(capped, 'utf8')).toBeLessThanOrEqual(MAX_REASON_BYTES);
      expect(capped.endsWith('…')).toBe(true);
      expect([...capped.slice(0, -1)].every((char) => char === unit)).toBe(true);
      expect(capped).not.toMatch(/\uFFFD/);
      expect(Buffer.from(capped, 'utf8').toString('utf8')).toBe(capped);
    }
  });
});

describe('deadLetterRecord', () => {
  it('copies the message and adds its origin and a capped reason', () => {
    const record = deadLetterRecord(message, origin, error);
    expect(record.key).toBe(message.key);
    expect(record.value).toBe(message.value);
    const headers = record.headers!;
    expect(headers.ce_type).toBe(huge);
    const reason = text(headers.dlq_error);
    expect(reason.startsWith('MalformedEventError: ce_type xxx')).toBe(true);
    expect(Buffer.byteLength(reason, 'utf8')).toBeLessThanOrEqual(MAX_REASON_BYTES);
    expect(headers).toMatchObject({
      dlq_topic: 'nexus.things',
      dlq_partition: '2',
      dlq_offset: '41',
      dlq_consumer_group: 'things-consumer',
    });
  });

  it('lets no original header pose as one of its own', () => {
    const spoofed = { ...message, headers: { dlq_topic: 'elsewhere', dlq_error: huge } };
    const headers = deadLetterRecord(spoofed, origin, error).headers!;
    expect(headers.dlq_topic).toBe('nexus.things');
    expect(Buffer.byteLength(text(headers.dlq_error))).toBeLessThanOrEqual(MAX_REASON_BYTES);
  });
});

describe('deadLetterStub', () => {
  it('keeps the origin, the capped reason and the value size, none of the content', () => {
    const stub = deadLetterStub(message, origin, error);
    expect(stub.value).toBeNull();
    expect(text(stub.key)).toBe('key-1');
    expect(Object.keys(stub.headers!).sort()).toEqual(
      [
        'dlq_consumer_group',
        'dlq_error',
        'dlq_offset',
        'dlq_partition',
        'dlq_topic',
        'dlq_value_dropped',
      ].sort(),
    );
    expect(stub.headers!.dlq_value_dropped).toBe(String(900 * 1024));
    expect(JSON.stringify(stub).length).toBeLessThan(1024);
  });

  it('leaves a large key out and says a missing value had 0 bytes', () => {
    const stub = deadLetterStub(
      { ...message, key: Buffer.alloc(64 * 1024, 'k'), value: null },
      origin,
      error,
    );
    expect(stub.key).toBeNull();
    expect(stub.headers!.dlq_value_dropped).toBe('0');
  });
});

describe('brokerRefused', () => {
  const tooLarge = () =>
    new KafkaJSProtocolError({
      type: 'MESSAGE_TOO_LARGE',
      code: 10,
      retriable: false,
      message: 'too large',
    } as unknown as Error);

  it('is true for an error the broker answered with, as the producer throws it', () => {
    expect(brokerRefused(tooLarge())).toBe(true);
    // The producer's retrier wraps it: new KafkaJSNonRetriableError(e, { cause: e }).
    const wrapped = Object.assign(new KafkaJSNonRetriableError(tooLarge()), { cause: tooLarge() });
    expect(brokerRefused(wrapped)).toBe(true);
    expect(brokerRefused(Object.assign(new Error('wrapped'), { cause: wrapped }))).toBe(true);
  });

  it('is false when the broker was not reached', () => {
    expect(brokerRefused(new KafkaJSConnectionError('Connection error'))).toBe(false);
    expect(brokerRefused(new Error('boom'))).toBe(false);
    expect(brokerRefused('boom')).toBe(false);
  });
});
