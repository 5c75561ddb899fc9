import { status } from '@grpc/grpc-js';
import {
  createCommsClient,
  createContentClient,
  createUsersClient,
  type CommsClient,
  type ContentClient,
} from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { commsV1, contentV1, usersV1 } from '@nexus/proto';
import {
  TEST_PASSWORD,
  eventually,
  grpcError,
  startAppProcess,
  type AppProcess,
  type TestUser,
} from '@nexus/testing';
import { credentials, Metadata } from '@grpc/grpc-js';
import { uploadFile } from './fixtures';
import { ROLE_OF } from './platform';

/**
 * Attachments recipients can open, across the real users, content and comms
 * processes: comms grants the recipients of a mail and the members of a room
 * the files a sender attaches (with the sender's token), content opens them
 * to exactly those users, and a member removed from a room loses what they
 * could see only through it (content follows comms' room events).
 */
/** Only the three services these flows cross: the machine is shared, each process costs. */
interface Trio {
  apps: { users: AppProcess; content: AppProcess; comms: AppProcess };
  signUp(role: 'user'): Promise<TestUser>;
  stop(): Promise<void>;
}

async function startTrio(): Promise<Trio> {
  const adminEmail = `admin-${uuidv7().slice(-12)}@example.com`;
  const users = await startAppProcess('users', {
    NEXUS_ADMIN_EMAIL: adminEmail,
    NEXUS_ADMIN_PASSWORD: TEST_PASSWORD,
  });
  const content = await startAppProcess('content', { USERS_GRPC_ADDRESS: users.grpcAddress });
  const comms = await startAppProcess('comms', {
    USERS_GRPC_ADDRESS: users.grpcAddress,
    CONTENT_GRPC_ADDRESS: content.grpcAddress,
  });
  const usersClient = createUsersClient({ address: users.grpcAddress });
  const session = await usersClient.authenticate({ login: adminEmail, password: TEST_PASSWORD });
  return {
    apps: { users, content, comms },
    signUp: async (role) => {
      const tag = uuidv7().slice(-12);
      const user = await usersClient.createUser(
        {
          user: usersV1.User.fromPartial({
            email: `u-${tag}@example.com`,
            username: `u-${tag}`,
            fullName: `User ${tag}`,
            role: ROLE_OF[role],
          }),
          password: TEST_PASSWORD,
          requestId: '',
        },
        { token: session.accessToken },
      );
      const signedIn = await usersClient.authenticate({
        login: user.email,
        password: TEST_PASSWORD,
      });
      return { user: signedIn.user!, token: signedIn.accessToken };
    },
    stop: async () => {
      usersClient.close();
      await Promise.all([content.stop(), comms.stop()]);
      await users.stop();
    },
  };
}

let platform: Trio;
let content: ContentClient;
let comms: CommsClient;
let downloads: contentV1.FileServiceClient;

beforeAll(async () => {
  platform = await startTrio();
  content = createContentClient({ address: platform.apps.content.grpcAddress });
  comms = createCommsClient({ address: platform.apps.comms.grpcAddress });
  downloads = new contentV1.FileServiceClient(
    platform.apps.content.grpcAddress,
    credentials.createInsecure(),
  );
}, 180_000);

afterAll(async () => {
  content?.close();
  comms?.close();
  downloads?.close();
  await platform?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const upload = (owner: TestUser) =>
  uploadFile(platform.apps.content.grpcAddress, owner.token, `deck-${uuidv7().slice(-6)}.txt`);

/** The bytes of a file as the user downloads them, or the gRPC status code refusing them. */
async function download(user: TestUser, fileId: string): Promise<string | number> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${user.token}`);
  const parts: Buffer[] = [];
  try {
    for await (const message of downloads.downloadFile(
      { id: fileId },
      metadata,
    ) as AsyncIterable<contentV1.DownloadFileResponse>) {
      if (message.payload?.$case === 'chunk') parts.push(message.payload.value);
    }
  } catch (error) {
    return (error as { code: number }).code;
  }
  return Buffer.concat(parts).toString();
}

async function mail(
  from: TestUser,
  to: TestUser[],
  attachmentIds: string[],
): Promise<commsV1.Email> {
  const draft = await comms.email.createDraft(
    {
      email: commsV1.Email.fromPartial({
        to: to.map((user) => user.user.id),
        subject: `files ${uuidv7().slice(-6)}`,
        attachmentIds,
      }),
      requestId: '',
    },
    as(from),
  );
  return comms.email.sendEmail({ id: draft.id, etag: draft.etag }, as(from));
}

/** The recipient's own copy of a mail (by subject), in their inbox. */
async function copyOf(recipient: TestUser, sent: commsV1.Email): Promise<commsV1.Email> {
  const { emails } = await comms.email.listEmails(
    commsV1.ListEmailsRequest.fromPartial({ pageSize: 50, senderId: sent.senderId }),
    as(recipient),
  );
  const copy = emails.find((email) => email.subject === sent.subject);
  if (!copy) throw new Error(`no copy of "${sent.subject}" for ${recipient.user.id}`);
  return copy;
}

describe('attachments recipients can open', () => {
  it('a mailed private file: the recipient downloads it, nobody else; a forward passes it on', async () => {
    const [alice, bob, carol] = await Promise.all([
      platform.signUp('user'),
      platform.signUp('user'),
      platform.signUp('user'),
    ]);
    const file = await upload(alice);
    expect(await download(bob, file.id)).toBe(status.NOT_FOUND);

    const sent = await mail(alice, [bob], [file.id]);
    expect(await download(bob, file.id)).toMatch(/^hello deck-/);
    expect(await download(carol, file.id)).toBe(status.NOT_FOUND);
    expect((await grpcError(content.files.getFile({ id: file.id }, as(carol)))).code).toBe(
      status.NOT_FOUND,
    );

    // Bob forwards Alice's file to Carol: his send passes the check and grants her.
    const received = await copyOf(bob, sent);
    const forward = await comms.email.forward(
      { id: received.id, to: [carol.user.id], bodyText: 'see below', requestId: '' },
      as(bob),
    );
    expect(forward.attachmentIds).toEqual([file.id]);
    await comms.email.sendEmail({ id: forward.id, etag: forward.etag }, as(bob));
    expect(await download(carol, file.id)).toMatch(/^hello deck-/);
  });

  it('a file in a room: a removed member loses it, but keeps a file also mailed to them', async () => {
    const [alice, bob, carol] = await Promise.all([
      platform.signUp('user'),
      platform.signUp('user'),
      platform.signUp('user'),
    ]);
    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: `files-${uuidv7().slice(-6)}`,
          kind: commsV1.RoomKind.ROOM_KIND_PRIVATE,
        }),
        memberIds: [bob.user.id, carol.user.id],
        requestId: '',
      },
      as(alice),
    );
    const roomOnly = await upload(alice);
    const alsoMailed = await upload(alice);
    await comms.chat.postMessage(
      {
        roomId: room.id,
        text: 'the decks',
        attachmentIds: [roomOnly.id, alsoMailed.id],
        replyToId: '',
        requestId: '',
      },
      as(alice),
    );
    expect(await download(bob, roomOnly.id)).toMatch(/^hello deck-/);
    expect(await download(carol, roomOnly.id)).toMatch(/^hello deck-/);
    await mail(alice, [bob], [alsoMailed.id]);

    await comms.chat.removeMember({ roomId: room.id, userId: bob.user.id }, as(alice));
    await eventually(
      () => download(bob, roomOnly.id),
      (answer) => answer === status.NOT_FOUND,
      15_000,
    );
    expect(await download(bob, alsoMailed.id)).toMatch(/^hello deck-/);
    // Carol, still a member, keeps both.
    expect(await download(carol, roomOnly.id)).toMatch(/^hello deck-/);
  });

  it('a send while content is down fails UNAVAILABLE and writes nothing', async () => {
    const [alice, bob] = await Promise.all([platform.signUp('user'), platform.signUp('user')]);
    const file = await upload(alice);
    const draft = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({
          to: [bob.user.id],
          subject: 'late',
          attachmentIds: [file.id],
        }),
        requestId: '',
      },
      as(alice),
    );
    await platform.apps.content.stop();
    const error = await grpcError(
      comms.email.sendEmail({ id: draft.id, etag: draft.etag }, as(alice)),
    );
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.reason).toBe('DEPENDENCY_UNAVAILABLE');
    const still = await comms.email.getEmail({ id: draft.id }, as(alice));
    expect(still.status).toBe(commsV1.EmailStatus.EMAIL_STATUS_DRAFT);
    const { emails } = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ pageSize: 10, senderId: alice.user.id }),
      as(bob),
    );
    expect(emails).toEqual([]);
  });
});
