import { inTransaction } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import { EventCollector, eventually } from '@nexus/testing';
import { emailParts } from '../emails/email-parts';
import { DeletedUsers } from './deleted-users';
import { ChatRoomStore } from '../rooms/chat-room.store';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';
import { UserEventsHandler } from './user-events.consumer';

let comms: CommsHarness;
let events: EventCollector;

beforeAll(async () => {
  comms = await startComms();
  events = await EventCollector.start(['nexus.comms.chat-room']);
}, 120_000);

afterAll(async () => {
  await events.stop();
  await comms.stop();
});

describe('on nexus.users.user.deleted', () => {
  it('removes the user from every room and shows their messages and emails as from a deleted sender', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const channel = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: 'ops',
          kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
        }),
        memberIds: [alice.user.id],
        requestId: '',
      },
      as(bob),
    );
    const message = await comms.chat.postMessage(
      { roomId: channel.id, text: 'handing over', attachmentIds: [], replyToId: '', requestId: '' },
      as(bob),
    );
    const draft = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({ to: [alice.user.id], subject: 'notes' }),
        requestId: '',
      },
      as(bob),
    );
    await comms.email.sendEmail({ id: draft.id, etag: '' }, as(bob));

    await comms.users.deactivate(bob.user.id);

    const room = await eventually(
      () => comms.chat.getRoom({ id: channel.id }, as(alice)),
      (r) => r.members.length === 1,
    );
    // Bob owned the room: Alice, the remaining member, takes it over.
    expect(room.members).toEqual([
      expect.objectContaining({
        userId: alice.user.id,
        role: commsV1.MemberRole.MEMBER_ROLE_OWNER,
      }),
    ]);
    const listed = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId: channel.id }),
      as(alice),
    );
    expect(listed.messages).toEqual([
      expect.objectContaining({
        id: message.id,
        text: 'handing over',
        authorId: bob.user.id,
        authorDeleted: true,
      }),
    ]);
    const inbox = await comms.email.listEmails(
      commsV1.ListEmailsRequest.fromPartial({ mailbox: commsV1.MailboxRole.MAILBOX_ROLE_INBOX }),
      as(alice),
    );
    expect(inbox.emails).toEqual([
      expect.objectContaining({ senderId: bob.user.id, senderDeleted: true, subject: 'notes' }),
    ]);

    // One membership change, one room event; a replay of the user event changes nothing more.
    const roomEvents = await events.waitForSubject(channel.id, 2);
    expect(roomEvents.map((e) => e.type)).toEqual([
      'nexus.comms.chat-room.created',
      'nexus.comms.chat-room.updated',
    ]);
    expect(roomEvents[1].data.actor).toBeNull();
  });

  it('is idempotent: the same event applied twice removes nothing more', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const team = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({ name: 't', kind: commsV1.RoomKind.ROOM_KIND_PRIVATE }),
        memberIds: [bob.user.id],
        requestId: '',
      },
      as(alice),
    );
    const { dataSource, pageTokens } = comms.service.runtime;
    const handler = new UserEventsHandler(
      emailParts(dataSource, pageTokens, new DeletedUsers(dataSource)).mailboxes,
      new ChatRoomStore(dataSource, pageTokens),
    );
    const event = {
      id: 'e',
      type: 'nexus.users.user.deleted',
      source: '/nexus/users',
      subject: bob.user.id,
      time: new Date(),
      topic: 'nexus.users.user',
      partition: 0,
      offset: '0',
      data: { before: null, after: null, changed: [], actor: null },
    };
    await inTransaction(dataSource, null, (tx) => handler.handle(event, tx));
    await inTransaction(dataSource, null, (tx) => handler.handle(event, tx));
    const room = await comms.chat.getRoom({ id: team.id }, as(alice));
    expect(room.members.map((m) => m.userId)).toEqual([alice.user.id]);
    expect(room.etag).toBe('"2"');
  });
});
