import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commsV1, contentV1, googleRpc } from '@nexus/proto';
import { grpcError } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

/**
 * A real gRPC server implementing content's BatchGetFiles and
 * GrantFileAccess: `readable` files are returned, `private` ones are
 * PERMISSION_DENIED, others NOT_FOUND with the ErrorInfo the platform's
 * KitError.notFound sends; grants are recorded, or refused UNAVAILABLE for a
 * file in `grantDown` (content going away between the check and the grant).
 */
async function contentStub(readable: Set<string>, hidden: Set<string>, grantDown: Set<string>) {
  const seen: string[] = [];
  const grants: { token: string; request: contentV1.GrantFileAccessRequest }[] = [];
  const server = new Server();
  server.addService(contentV1.AttachmentAccessServiceService, {
    grantFileAccess: (
      call: ServerUnaryCall<contentV1.GrantFileAccessRequest, contentV1.GrantFileAccessResponse>,
      callback: sendUnaryData<contentV1.GrantFileAccessResponse>,
    ) => {
      if (call.request.fileIds.some((id) => grantDown.has(id)))
        return callback({ code: status.UNAVAILABLE, details: 'going away' });
      grants.push({ token: String(call.metadata.get('authorization')[0]), request: call.request });
      return callback(null, { created: [] });
    },
    revokeFileAccess: (
      _call: ServerUnaryCall<contentV1.RevokeFileAccessRequest, contentV1.RevokeFileAccessResponse>,
      callback: sendUnaryData<contentV1.RevokeFileAccessResponse>,
    ) => callback(null, { revoked: [] }),
  });
  server.addService(contentV1.FileServiceService, {
    batchGetFiles: (
      call: ServerUnaryCall<contentV1.BatchGetFilesRequest, contentV1.BatchGetFilesResponse>,
      callback: sendUnaryData<contentV1.BatchGetFilesResponse>,
    ) => {
      seen.push(String(call.metadata.get('authorization')[0]));
      const { ids } = call.request;
      if (ids.some((id) => hidden.has(id)))
        return callback({ code: status.PERMISSION_DENIED, details: 'file is private' });
      const missing = ids.find((id) => !readable.has(id));
      if (missing) {
        const info = googleRpc.ErrorInfo.encode({
          reason: 'NOT_FOUND',
          domain: 'nexus',
          metadata: { id: missing },
        }).finish();
        const details = googleRpc.Status.encode({
          code: status.NOT_FOUND,
          message: `file ${missing} not found`,
          details: [
            { typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: Buffer.from(info) },
          ],
        }).finish();
        const metadata = new Metadata();
        metadata.set('grpc-status-details-bin', Buffer.from(details));
        return callback({ code: status.NOT_FOUND, details: `file ${missing} not found`, metadata });
      }
      return callback(null, { files: ids.map((id) => contentV1.File.fromPartial({ id })) });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { address: `127.0.0.1:${port}`, seen, grants, stop: () => server.forceShutdown() };
}

const mine = uuidv7();
const private_ = uuidv7();
const lost = uuidv7();
let stub: Awaited<ReturnType<typeof contentStub>>;
let comms: CommsHarness;

beforeAll(async () => {
  stub = await contentStub(new Set([mine, lost]), new Set([private_]), new Set([lost]));
  comms = await startComms({
    CONTENT_ATTACHMENT_CHECK: 'true',
    CONTENT_GRPC_ADDRESS: stub.address,
  });
}, 120_000);

afterAll(async () => {
  await comms.stop();
  stub.stop();
});

describe('attachments checked with the content service', () => {
  it('posts with a file the caller may read, passing the caller’s token on', async () => {
    const alice = await comms.signUp();
    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: 'files',
          kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
        }),
        memberIds: [],
        requestId: '',
      },
      as(alice),
    );
    const message = await comms.chat.postMessage(
      { roomId: room.id, text: 'the deck', attachmentIds: [mine], replyToId: '', requestId: '' },
      as(alice),
    );
    expect(message.attachmentIds).toEqual([mine]);
    expect(stub.seen).toContain(`Bearer ${alice.token}`);
  });

  it('refuses an unknown file, naming it, and one the caller may not read; nothing is written', async () => {
    const alice = await comms.signUp();
    const unknown = uuidv7();
    const missing = await grpcError(
      comms.email.createDraft(
        {
          email: commsV1.Email.fromPartial({ subject: 's', attachmentIds: [mine, unknown] }),
          requestId: '',
        },
        as(alice),
      ),
    );
    expect(missing.code).toBe(status.INVALID_ARGUMENT);
    expect(missing.fields).toEqual(['email.attachment_ids[1]']);
    const denied = await grpcError(
      comms.email.createDraft(
        {
          email: commsV1.Email.fromPartial({ subject: 's', attachmentIds: [private_] }),
          requestId: '',
        },
        as(alice),
      ),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const { mailboxes } = await comms.email.listMailboxes({}, as(alice));
    expect(
      mailboxes.find((box) => box.role === commsV1.MailboxRole.MAILBOX_ROLE_DRAFTS)?.totalCount,
    ).toBe(0);
  });

  it('grants the internal recipients of a sent mail the attachments, through the mail, with the sender token', async () => {
    const [alice, bob, carol] = [await comms.signUp(), await comms.signUp(), await comms.signUp()];
    const draft = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({
          subject: 'deck',
          to: [bob.user.id, 'partner@example.org'],
          bcc: [carol.user.id],
          attachmentIds: [mine],
        }),
        requestId: '',
      },
      as(alice),
    );
    await comms.email.sendEmail({ id: draft.id, etag: draft.etag }, as(alice));
    const grant = stub.grants.find((g) => g.request.via?.resourceId === draft.id);
    expect(grant).toEqual({
      token: `Bearer ${alice.token}`,
      request: {
        fileIds: [mine],
        userIds: [bob.user.id, carol.user.id],
        via: { service: 'comms', resourceType: 'email', resourceId: draft.id },
      },
    });
  });

  it('fails a send UNAVAILABLE when content cannot grant, writing nothing', async () => {
    const [alice, bob] = [await comms.signUp(), await comms.signUp()];
    const draft = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({
          subject: 's',
          to: [bob.user.id],
          attachmentIds: [lost],
        }),
        requestId: '',
      },
      as(alice),
    );
    const error = await grpcError(
      comms.email.sendEmail({ id: draft.id, etag: draft.etag }, as(alice)),
    );
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.reason).toBe('DEPENDENCY_UNAVAILABLE');
    expect((await comms.email.getEmail({ id: draft.id }, as(alice))).status).toBe(
      commsV1.EmailStatus.EMAIL_STATUS_DRAFT,
    );
    const inbox = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ pageSize: 10 }),
      as(bob),
    );
    expect(inbox.emails).toEqual([]);
  });

  it('grants the members of the room a posted file, not the poster; a refused grant posts nothing', async () => {
    const [alice, bob] = [await comms.signUp(), await comms.signUp()];
    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: 'team',
          kind: commsV1.RoomKind.ROOM_KIND_PRIVATE,
        }),
        memberIds: [bob.user.id],
        requestId: '',
      },
      as(alice),
    );
    await comms.chat.postMessage(
      { roomId: room.id, text: 'deck', attachmentIds: [mine], replyToId: '', requestId: '' },
      as(alice),
    );
    expect(stub.grants.find((g) => g.request.via?.resourceId === room.id)?.request).toEqual({
      fileIds: [mine],
      userIds: [bob.user.id],
      via: { service: 'comms', resourceType: 'chat-room', resourceId: room.id },
    });
    const error = await grpcError(
      comms.chat.postMessage(
        { roomId: room.id, text: 'other', attachmentIds: [lost], replyToId: '', requestId: '' },
        as(alice),
      ),
    );
    expect(error.code).toBe(status.UNAVAILABLE);
    const { messages } = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId: room.id, pageSize: 10 }),
      as(bob),
    );
    expect(messages.map((m) => m.text)).toEqual(['deck']);
  });
});
