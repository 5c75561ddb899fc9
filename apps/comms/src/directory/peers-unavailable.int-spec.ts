import {
  Server,
  ServerCredentials,
  status,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { createCommsClient, type CommsClient } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { commsV1, contentV1 } from '@nexus/proto';
import { signTestToken, startHangingPeer, timedFailure, type HangingPeer } from '@nexus/testing';
import { startComms, type CommsHarness } from '../testing/comms-harness';

/**
 * Every RPC of comms that asks a peer, with the peer hanging and then down:
 * users (CreateRoom, InviteMembers and SendEmail name users) and content
 * (CreateDraft, UpdateDraft, SendEmail and PostMessage attach files).
 */
const CALLER_DEADLINE_MS = 5_000;
/** Each peer's timeout: well inside the caller's deadline, as a busy test machine needs. */
const PEER_TIMEOUT_MS = '1000';

/**
 * content's FileService as a real gRPC server: it answers BatchGetFiles
 * while `answering`, then accepts calls and never answers; stopped, its port
 * refuses connections.
 */
async function contentPeer() {
  let answering = true;
  const server = new Server();
  server.addService(contentV1.FileServiceService, {
    batchGetFiles: (
      call: ServerUnaryCall<contentV1.BatchGetFilesRequest, contentV1.BatchGetFilesResponse>,
      callback: sendUnaryData<contentV1.BatchGetFilesResponse>,
    ) => {
      if (answering)
        callback(null, { files: call.request.ids.map((id) => contentV1.File.fromPartial({ id })) });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    hang: () => (answering = false),
    stop: () => server.forceShutdown(),
  };
}

let users: HangingPeer;
let content: Awaited<ReturnType<typeof contentPeer>>;
let comms: CommsHarness;
/** Clients that do not retry UNAVAILABLE, as the harness's do: one call, one answer, timed. */
let once: CommsClient;
const caller = { token: '' };
const file = uuidv7();
let roomId: string;
let toUser: commsV1.Email;
let withFile: commsV1.Email;

beforeAll(async () => {
  users = await startHangingPeer();
  content = await contentPeer();
  comms = await startComms({
    USERS_GRPC_ADDRESS: users.address,
    USERS_GRPC_TIMEOUT_MS: PEER_TIMEOUT_MS,
    CONTENT_ATTACHMENT_CHECK: 'true',
    CONTENT_GRPC_ADDRESS: content.address,
    CONTENT_GRPC_TIMEOUT_MS: PEER_TIMEOUT_MS,
  });
  once = createCommsClient({ address: `127.0.0.1:${comms.service.grpcPort}`, retries: 0 });
  caller.token = signTestToken({ role: 'user' });
  // Made while content answers and before any user is named: no call to users.
  roomId = (
    await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: 'peers',
          kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
        }),
        memberIds: [],
        requestId: '',
      },
      caller,
    )
  ).id;
  toUser = await comms.email.createDraft(
    { email: commsV1.Email.fromPartial({ subject: 's', to: [uuidv7()] }), requestId: '' },
    caller,
  );
  withFile = await comms.email.createDraft(
    {
      email: commsV1.Email.fromPartial({
        subject: 's',
        to: ['someone@example.com'],
        attachmentIds: [file],
      }),
      requestId: '',
    },
    caller,
  );
  content.hang();
}, 120_000);

afterAll(async () => {
  once?.close();
  await comms?.stop();
  await users?.stop();
  content?.stop();
});

type Call = (options: { token: string; deadline: Date }) => Promise<unknown>;

const callsTo: Record<'users' | 'content', [string, Call][]> = {
  users: [
    [
      'CreateRoom',
      (options) =>
        once.chat.createRoom(
          {
            room: commsV1.ChatRoom.fromPartial({
              name: 'r',
              kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
            }),
            memberIds: [uuidv7()],
            requestId: '',
          },
          options,
        ),
    ],
    [
      'InviteMembers',
      (options) => once.chat.inviteMembers({ roomId, userIds: [uuidv7()] }, options),
    ],
    ['SendEmail', (options) => once.email.sendEmail({ id: toUser.id, etag: '' }, options)],
  ],
  content: [
    [
      'CreateDraft',
      (options) =>
        once.email.createDraft(
          {
            email: commsV1.Email.fromPartial({ subject: 's', attachmentIds: [file] }),
            requestId: '',
          },
          options,
        ),
    ],
    [
      'UpdateDraft',
      (options) =>
        once.email.updateDraft(
          {
            email: commsV1.Email.fromPartial({ id: toUser.id, attachmentIds: [file] }),
            updateMask: ['attachment_ids'],
          },
          options,
        ),
    ],
    ['SendEmail', (options) => once.email.sendEmail({ id: withFile.id, etag: '' }, options)],
    [
      'PostMessage',
      (options) =>
        once.chat.postMessage(
          { roomId, text: 'hi', attachmentIds: [file], replyToId: '', requestId: '' },
          options,
        ),
    ],
  ],
};

async function expectUnavailable(peer: 'users' | 'content', call: Call) {
  const failure = await timedFailure(() =>
    call({ ...caller, deadline: new Date(Date.now() + CALLER_DEADLINE_MS) }),
  );
  expect(failure).toMatchObject({
    code: status.UNAVAILABLE,
    reason: 'DEPENDENCY_UNAVAILABLE',
    peer,
  });
  expect(failure.elapsedMs).toBeLessThan(CALLER_DEADLINE_MS);
}

describe('comms with its peers accepting connections and never answering', () => {
  for (const peer of ['users', 'content'] as const) {
    it.each(callsTo[peer])(`%s answers UNAVAILABLE naming ${peer} within the deadline`, (_, call) =>
      expectUnavailable(peer, call),
    );
  }

  it('did reach the hanging users service', () => {
    expect(users.accepted()).toBeGreaterThan(0);
  });
});

describe('comms with its peers down (connections refused)', () => {
  beforeAll(async () => {
    await users.stop();
    content.stop();
  });

  for (const peer of ['users', 'content'] as const) {
    it.each(callsTo[peer])(`%s answers UNAVAILABLE naming ${peer} within the deadline`, (_, call) =>
      expectUnavailable(peer, call),
    );
  }

  it('wrote nothing: the drafts are unsent and unchanged, the room has no message', async () => {
    for (const draft of [toUser, withFile]) {
      const now = await comms.email.getEmail({ id: draft.id }, caller);
      expect(now).toMatchObject({
        status: commsV1.EmailStatus.EMAIL_STATUS_DRAFT,
        etag: draft.etag,
      });
    }
    const { messages } = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId }),
      caller,
    );
    expect(messages).toEqual([]);
  });
});
