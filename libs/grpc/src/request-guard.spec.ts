import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { KitError } from '@nexus/core';
import { aiUsageV1, usersV1 } from '@nexus/proto';
import {
  InvalidRequest,
  UndecodableRequest,
  checkRequest,
  tolerantDefinition,
} from './request-guard';

/** A message with one length-delimited field holding `inner`, written by hand. */
function wrap(field: number, inner: Uint8Array): Uint8Array {
  return new BinaryWriter()
    .uint32((field << 3) | 2)
    .bytes(inner)
    .finish();
}

/** A Timestamp with any seconds and nanos, as a caller may send it (the generated code takes a Date). */
function timestamp(seconds: bigint, nanos: number): Uint8Array {
  return new BinaryWriter().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();
}

const violationsOf = (request: unknown) => {
  try {
    checkRequest(request);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return (error as KitError).violations.map((v) => v.field);
  }
};

describe('tolerantDefinition', () => {
  it('turns bytes that do not decode into an UndecodableRequest instead of throwing', () => {
    const definition = tolerantDefinition(usersV1.UserServiceService);
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(definition.getUser.requestDeserialize(garbage)).toBeInstanceOf(UndecodableRequest);
    const valid = Buffer.from(usersV1.GetUserRequest.encode({ id: 'x' }).finish());
    expect(definition.getUser.requestDeserialize(valid)).toEqual({ id: 'x' });
  });

  it('refuses a stray end-group tag the generated decoder stops at, where Timestamps are scanned', () => {
    // Field 14, wire type 4 (end group), then junk: found by the fuzz run
    // (grpc-js answered INTERNAL "Error deserializing request").
    const bytes = Buffer.from([0x74, 0x7a]);
    expect(() => aiUsageV1.RecordInteractionRequest.decode(bytes)).not.toThrow();
    const definition = tolerantDefinition(aiUsageV1.AiUsageServiceService);
    expect(definition.recordInteraction.requestDeserialize(bytes)).toBeInstanceOf(
      UndecodableRequest,
    );
    const grouped = Buffer.concat([wrap(1, wrap(32, timestamp(0n, 0))), Buffer.from([0x74])]);
    expect(definition.recordInteraction.requestDeserialize(grouped)).toBeInstanceOf(
      UndecodableRequest,
    );
  });
});

describe('tolerantDefinition, Timestamps on the wire', () => {
  const definition = tolerantDefinition(aiUsageV1.AiUsageServiceService);
  // AiInteraction.start_time = 32, RecordInteractionRequest.interaction = 1, Batch.requests = 1.
  const record = (seconds: bigint, nanos: number) =>
    Buffer.from(wrap(1, wrap(32, timestamp(seconds, nanos))));

  it('refuses nanos out of range that a Date would carry over into the seconds', () => {
    for (const nanos of [2_000_000_000, 1_000_000_000, -1]) {
      const decoded: unknown = definition.recordInteraction.requestDeserialize(record(0n, nanos));
      expect(decoded).toBeInstanceOf(InvalidRequest);
      expect(violationsOf(decoded)).toEqual(['interaction.start_time']);
    }
  });

  it('refuses seconds before year 1 or after year 9999, naming the element of a list', () => {
    const bytes = Buffer.concat([
      wrap(1, wrap(1, wrap(32, timestamp(0n, 0)))),
      wrap(1, wrap(1, wrap(32, timestamp(-62_135_596_801n, 0)))),
      wrap(1, wrap(1, wrap(32, timestamp(253_402_300_800n, 0)))),
    ]);
    const decoded: unknown = definition.batchRecordInteractions.requestDeserialize(bytes);
    expect(violationsOf(decoded)).toEqual([
      'requests[1].interaction.start_time',
      'requests[2].interaction.start_time',
    ]);
  });

  it('lets the extremes of the valid range through', () => {
    const first: unknown = definition.recordInteraction.requestDeserialize(
      record(-62_135_596_800n, 0),
    );
    const last: unknown = definition.recordInteraction.requestDeserialize(
      record(253_402_300_799n, 999_999_999),
    );
    expect(violationsOf(first)).toEqual([]);
    expect(violationsOf(last)).toEqual([]);
    expect(first).toMatchObject({ interaction: { startTime: new Date('0001-01-01T00:00:00Z') } });
  });
});

describe('checkRequest', () => {
  it('refuses undecodable requests and NUL characters, naming the field', () => {
    expect(violationsOf(new UndecodableRequest('index out of range'))).toEqual(['request']);
    expect(violationsOf({ user: { fullName: 'a\u0000b' }, tags: ['ok', '\u0000'] })).toEqual([
      'user.full_name',
      'tags[1]',
    ]);
  });

  it('refuses NUL characters in object keys at any depth (Struct and map keys are data)', () => {
    expect(
      violationsOf({ user: { preferences: { 'a\u0000b': 1, ok: { deep: [{ '\u0000': 'x' }] } } } }),
    ).toEqual(['user.preferences["a\\u0000b"]', 'user.preferences.ok.deep[0]["\\u0000"]']);
  });

  it('names a NUL in the last item of a large batch, and only that one', () => {
    const requests = Array.from({ length: 500 }, (_, index) => ({
      requestId: `r-${index}`,
      interaction: { conversationId: 'c', metadata: { team: 'x' }, startTime: new Date() },
    }));
    requests[499].interaction.conversationId = 'c\u0000';
    expect(violationsOf({ requests })).toEqual(['requests[499].interaction.conversation_id']);
  });

  it('lets ordinary requests, bytes and dates through', () => {
    expect(violationsOf({ login: 'ada', chunk: Buffer.from([0, 0]), at: new Date() })).toEqual([]);
  });
});
