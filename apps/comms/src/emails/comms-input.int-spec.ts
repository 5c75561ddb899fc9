import { Client, Metadata, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { grpcError, refusedWriteLog, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;
let alice: TestUser;

beforeAll(async () => {
  // Logging on at error level (tests run silent), so the log can be scanned.
  comms = await startComms({ LOG_LEVEL: 'error' });
  alice = await comms.signUp();
}, 120_000);

afterAll(async () => {
  await comms.stop();
});

const LIST_EMAILS = '/nexus.comms.v1.EmailService/ListEmails';

/** A Timestamp written by hand: the generated client only takes a Date, which hides nanos. */
const rawTimestamp = (seconds: bigint, nanos: number) =>
  new BinaryWriter().uint32(8).int64(seconds).uint32(16).int32(nanos).finish();

/** ListEmails with start_time (7) and end_time (8) as given on the wire. */
async function listEmailsRaw(
  fields: Partial<Record<7 | 8, Uint8Array>>,
): Promise<{ code: status; details: string }> {
  const writer = new BinaryWriter();
  for (const [number, bytes] of Object.entries(fields))
    writer.uint32((Number(number) << 3) | 2).bytes(bytes);
  const client = new Client(`127.0.0.1:${comms.service.grpcPort}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${alice.token}`);
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        LIST_EMAILS,
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from(writer.finish()),
        metadata,
        (error: ServiceError | null) =>
          resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' }),
      );
    });
  } finally {
    client.close();
  }
}

const drafts = async (user: TestUser) =>
  (
    await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ mailbox: commsV1.MailboxRole.MAILBOX_ROLE_DRAFTS }),
      as(user),
    )
  ).emails;

describe('ListEmails time filters', () => {
  it.each<[string, string, Partial<commsV1.ListEmailsRequest>]>([
    ['start_time', 'before year 1', { startTime: new Date('-000001-06-01T00:00:00Z') }],
    ['start_time', 'in year 0', { startTime: new Date('0000-12-31T23:59:59Z') }],
    ['end_time', 'after year 9999', { endTime: new Date('+010000-01-01T00:00:01Z') }],
  ])('refuses %s %s, naming the field', async (field, _, request) => {
    const error = await grpcError(
      comms.email.listEmails(commsV1.ListEmailsRequest.fromPartial(request), as(alice)),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields).toEqual([field]);
  });

  it('refuses nanos out of range on the wire and accepts both ends of the range', async () => {
    const overflow = await listEmailsRaw({ 7: rawTimestamp(1_700_000_000n, 1_000_000_000) });
    expect(overflow.code).toBe(status.INVALID_ARGUMENT);
    expect(overflow.details).toContain('start_time');
    const negative = await listEmailsRaw({ 8: rawTimestamp(1_700_000_000n, -1) });
    expect(negative.code).toBe(status.INVALID_ARGUMENT);
    expect(negative.details).toContain('end_time');
    const beforeYear1 = await listEmailsRaw({ 7: rawTimestamp(-62_135_596_801n, 0) });
    expect(beforeYear1.code).toBe(status.INVALID_ARGUMENT);
    const range = await listEmailsRaw({
      7: rawTimestamp(-62_135_596_800n, 0),
      8: rawTimestamp(253_402_300_799n, 999_999_999),
    });
    expect(range).toEqual({ code: status.OK, details: '' });
  });
});

describe('a write the database refuses', () => {
  it('answers INTERNAL to CreateDraft and logs none of the request, nor the token', async () => {
    const subject = `refuse-${uuidv7()}`;
    const body = `secret body ${uuidv7()}`;
    const recipient = `r-${uuidv7().slice(-12)}@example.com`;
    const { result, unexpectedErrors, leaked } = await refusedWriteLog(
      { schema: 'comms', table: 'emails', column: 'subject', prefix: 'refuse-' },
      () =>
        grpcError(
          comms.email.createDraft(
            {
              email: commsV1.Email.fromPartial({ subject, bodyText: body, to: [recipient] }),
              requestId: '',
            },
            as(alice),
          ),
        ),
      [subject, body, recipient, alice.token],
    );
    expect(result.code).toBe(status.INTERNAL);
    expect({ unexpectedErrors, leaked }).toEqual({ unexpectedErrors: 1, leaked: [] });
    expect((await drafts(alice)).map((email) => email.subject)).not.toContain(subject);
  });

  it('answers INTERNAL to PostMessage and logs none of the request, nor the token', async () => {
    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: `room-${uuidv7().slice(-6)}`,
          kind: commsV1.RoomKind.ROOM_KIND_PRIVATE,
        }),
        memberIds: [],
        requestId: '',
      },
      as(alice),
    );
    const text = `refuse-secret message ${uuidv7()}`;
    const { result, unexpectedErrors, leaked } = await refusedWriteLog(
      { schema: 'comms', table: 'chat_messages', column: 'text', prefix: 'refuse-' },
      () =>
        grpcError(
          comms.chat.postMessage(
            { roomId: room.id, text, attachmentIds: [], replyToId: '', requestId: '' },
            as(alice),
          ),
        ),
      [text, alice.token],
    );
    expect(result.code).toBe(status.INTERNAL);
    expect({ unexpectedErrors, leaked }).toEqual({ unexpectedErrors: 1, leaked: [] });
    const { messages } = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId: room.id }),
      as(alice),
    );
    expect(messages).toEqual([]);
  });
});
