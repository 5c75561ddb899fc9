import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { EventCollector, grpcError, signTestToken, until, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;
let events: EventCollector;

beforeAll(async () => {
  comms = await startComms();
  events = await EventCollector.start(['nexus.comms.chat-room', 'nexus.comms.chat-message']);
}, 120_000);

afterAll(async () => {
  await events.stop();
  await comms.stop();
});

const { RoomKind, MemberRole } = commsV1;

async function room(owner: TestUser, kind: commsV1.RoomKind, memberIds: string[] = []) {
  return comms.chat.createRoom(
    {
      room: commsV1.ChatRoom.fromPartial({ name: `room-${uuidv7().slice(-6)}`, kind }),
      memberIds,
      requestId: '',
    },
    as(owner),
  );
}

const post = (user: TestUser, roomId: string, text: string, replyToId = '') =>
  comms.chat.postMessage({ roomId, text, attachmentIds: [], replyToId, requestId: '' }, as(user));

const memberIds = (r: commsV1.ChatRoom) => r.members.map((m) => m.userId).sort();

describe('rooms and membership', () => {
  it('creates a channel owned by its creator and lets anyone join it', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    expect(channel.members).toEqual([
      expect.objectContaining({ userId: alice.user.id, role: MemberRole.MEMBER_ROLE_OWNER }),
    ]);
    const joined = await comms.chat.joinRoom({ roomId: channel.id }, as(bob));
    expect(memberIds(joined)).toEqual([alice.user.id, bob.user.id].sort());
    const roomEvents = await events.waitForSubject(channel.id, 2);
    expect(roomEvents.map((e) => e.type)).toEqual([
      'nexus.comms.chat-room.created',
      'nexus.comms.chat-room.updated',
    ]);
    expect(roomEvents[1].data.changed).toEqual(['members']);
  });

  it('keeps private rooms to invited members: no join, no reading, owner invites', async () => {
    const [alice, bob, eve] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const secret = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    expect((await grpcError(comms.chat.joinRoom({ roomId: secret.id }, as(eve)))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await grpcError(comms.chat.getRoom({ id: secret.id }, as(eve)))).code).toBe(
      status.NOT_FOUND,
    );
    const invited = await comms.chat.inviteMembers(
      { roomId: secret.id, userIds: [bob.user.id] },
      as(alice),
    );
    expect(memberIds(invited)).toEqual([alice.user.id, bob.user.id].sort());
    const byMember = await grpcError(
      comms.chat.inviteMembers({ roomId: secret.id, userIds: [eve.user.id] }, as(bob)),
    );
    expect(byMember.code).toBe(status.PERMISSION_DENIED);
    const unknown = await grpcError(
      comms.chat.inviteMembers(
        { roomId: secret.id, userIds: ['01900000-0000-7000-8000-00000000dead'] },
        as(alice),
      ),
    );
    expect(unknown).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['user_ids[0]'],
    });
  });

  it('keeps one direct room per pair, whoever creates it', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const [first, second] = await Promise.all([
      room(alice, RoomKind.ROOM_KIND_DIRECT, [bob.user.id]),
      room(bob, RoomKind.ROOM_KIND_DIRECT, [alice.user.id]),
    ]);
    expect(second.id).toBe(first.id);
    expect((await room(alice, RoomKind.ROOM_KIND_DIRECT, [bob.user.id])).id).toBe(first.id);
    const leave = await grpcError(comms.chat.leaveRoom({ roomId: first.id }, as(alice)));
    expect(leave.code).toBe(status.FAILED_PRECONDITION);
  });

  it('lets owners remove members and hands ownership on when the last owner leaves', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob.user.id, carol.user.id]);
    expect(
      (
        await grpcError(
          comms.chat.removeMember({ roomId: team.id, userId: carol.user.id }, as(bob)),
        )
      ).code,
    ).toBe(status.PERMISSION_DENIED);
    const removed = await comms.chat.removeMember(
      { roomId: team.id, userId: carol.user.id },
      as(alice),
    );
    expect(memberIds(removed)).toEqual([alice.user.id, bob.user.id].sort());
    await comms.chat.leaveRoom({ roomId: team.id }, as(alice));
    const after = await comms.chat.getRoom({ id: team.id }, as(bob));
    expect(after.members).toEqual([
      expect.objectContaining({ userId: bob.user.id, role: MemberRole.MEMBER_ROLE_OWNER }),
    ]);
  });

  it('renames with an etag and archives and restores a room', async () => {
    const alice = await comms.signUp();
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    const renamed = await comms.chat.updateRoom(
      {
        room: commsV1.ChatRoom.fromPartial({ id: channel.id, etag: channel.etag, name: 'general' }),
        updateMask: ['name'],
      },
      as(alice),
    );
    expect(renamed).toMatchObject({ name: 'general', etag: '"2"' });
    const archived = await comms.chat.deleteRoom({ id: channel.id, etag: '' }, as(alice));
    expect(archived.deleteTime).toBeInstanceOf(Date);
    expect((await grpcError(post(alice, channel.id, 'hi'))).code).toBe(status.FAILED_PRECONDITION);
    const restored = await comms.chat.undeleteRoom({ id: channel.id }, as(alice));
    expect(restored.deleteTime).toBeUndefined();
  });

  it('judges a write on the room as locked: a demotion committed while it waited wins', async () => {
    const alice = await comms.signUp();
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    const db = comms.service.runtime.dataSource.createQueryRunner();
    await db.connect();
    try {
      // Another writer holds the room and demotes its owner, not yet committed.
      await db.startTransaction();
      await db.query('SELECT 1 FROM "comms"."chat_rooms" WHERE "id" = $1 FOR UPDATE', [channel.id]);
      await db.query(
        `UPDATE "comms"."chat_members" SET "role" = 'member' WHERE "room_id" = $1 AND "user_id" = $2`,
        [channel.id, alice.user.id],
      );
      const rename = grpcError(
        comms.chat.updateRoom(
          {
            room: commsV1.ChatRoom.fromPartial({ id: channel.id, name: 'mine still?' }),
            updateMask: ['name'],
          },
          as(alice),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await db.commitTransaction();
      expect((await rename).code).toBe(status.PERMISSION_DENIED);
    } finally {
      await db.release();
    }
    const { name } = await comms.chat.getRoom({ id: channel.id }, as(alice));
    expect(name).toBe(channel.name);
  });
});

describe('messages', () => {
  it('lets only members post, and guests never', async () => {
    const [alice, eve] = await Promise.all([comms.signUp(), comms.signUp()]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    expect((await grpcError(post(eve, channel.id, 'hi'))).code).toBe(status.PERMISSION_DENIED);
    const guest = signTestToken({ role: 'guest' });
    const byGuest = await grpcError(
      comms.chat.postMessage(
        { roomId: channel.id, text: 'x', attachmentIds: [], replyToId: '', requestId: '' },
        { token: guest },
      ),
    );
    expect(byGuest.code).toBe(status.PERMISSION_DENIED);
  });

  it.each([
    {
      change: 'a removal of the poster',
      sql: 'DELETE FROM "comms"."chat_members" WHERE "room_id" = $1 AND "user_id" = $2',
      withPoster: true,
      expected: { code: status.PERMISSION_DENIED, reason: 'NOT_A_MEMBER' },
    },
    {
      change: 'an archive of the room',
      sql: 'UPDATE "comms"."chat_rooms" SET "deleted_at" = now() WHERE "id" = $1',
      withPoster: false,
      expected: { code: status.FAILED_PRECONDITION, reason: 'ROOM_ARCHIVED' },
    },
  ])('refuses a post when $change committed while it waited for the room', async (scenario) => {
    const alice = await comms.signUp();
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    const { dataSource } = comms.service.runtime;
    const db = dataSource.createQueryRunner();
    await db.connect();
    let refused: ReturnType<typeof grpcError> | undefined;
    try {
      // Another writer holds the room and makes the change, not yet committed.
      await db.startTransaction();
      await db.query('SELECT 1 FROM "comms"."chat_rooms" WHERE "id" = $1 FOR UPDATE', [channel.id]);
      await db.query(
        scenario.sql,
        scenario.withPoster ? [channel.id, alice.user.id] : [channel.id],
      );
      refused = grpcError(post(alice, channel.id, 'too late'));
      // The post has passed its unlocked checks and waits for the room's row lock.
      await until(async () => {
        const [{ waiting }] = await dataSource.query<{ waiting: number }[]>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE 'UPDATE "comms"."chat_rooms"%'`,
        );
        return waiting > 0;
      }, 10_000);
      await db.commitTransaction();
    } finally {
      await db.release();
    }
    expect(await refused).toMatchObject(scenario.expected);
    const { messages } = await comms.chat.listMessages(
      { roomId: channel.id, threadId: '', pageSize: 10, pageToken: '', includeTotalSize: false },
      as(alice),
    );
    expect(messages).toEqual([]);
  });

  it('keeps reply count, last reply time and participants on the thread root', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    await comms.chat.joinRoom({ roomId: channel.id }, as(bob));
    const root = await post(alice, channel.id, 'Release on Friday?');
    expect(root).toMatchObject({
      text: 'Release on Friday?',
      authorId: alice.user.id,
      replyCount: 0,
    });
    const first = await post(bob, channel.id, 'Yes', root.id);
    const second = await post(alice, channel.id, 'Great', first.id); // a reply to a reply joins the root's thread
    expect(second.replyToId).toBe(root.id);

    const top = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId: channel.id }),
      as(bob),
    );
    expect(top.messages.map((m) => m.id)).toEqual([root.id]);
    expect(top.messages[0]).toMatchObject({
      replyCount: 2,
      lastReplyTime: second.createTime,
      participantIds: [bob.user.id, alice.user.id],
    });
    const thread = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ threadId: root.id }),
      as(bob),
    );
    expect(thread.messages.map((m) => m.text)).toEqual(['Great', 'Yes']);
    const rootEvents = await events.waitForSubject(root.id, 3);
    expect(rootEvents[0].data.after).toMatchObject({ text: 'Release on Friday?' });
    expect(rootEvents.map((e) => e.type)).toEqual([
      'nexus.comms.chat-message.created',
      'nexus.comms.chat-message.updated',
      'nexus.comms.chat-message.updated',
    ]);
  });

  it('pages a room newest first with keyset tokens', async () => {
    const alice = await comms.signUp();
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    for (let i = 0; i < 5; i += 1) await post(alice, channel.id, `m${i}`);
    const texts: string[] = [];
    let pageToken = '';
    do {
      const page = await comms.chat.listMessages(
        commsV1.ListMessagesRequest.fromPartial({ roomId: channel.id, pageSize: 2, pageToken }),
        as(alice),
      );
      texts.push(...page.messages.map((m) => m.text));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(texts).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
  });

  it('keeps every earlier text in the edit history; only the author edits', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    await comms.chat.joinRoom({ roomId: channel.id }, as(bob));
    const message = await post(alice, channel.id, 'teh plan');
    await comms.chat.editMessage({ id: message.id, text: 'the plan', etag: '' }, as(alice));
    const edited = await comms.chat.editMessage(
      { id: message.id, text: 'the new plan', etag: '' },
      as(alice),
    );
    expect(edited).toMatchObject({ text: 'the new plan', edited: true, editCount: 2 });
    const history = await comms.chat.getEditHistory({ id: message.id }, as(bob));
    expect(history.edits.map((e) => [e.previousText, e.editorId])).toEqual([
      ['teh plan', alice.user.id],
      ['the plan', alice.user.id],
    ]);
    expect(
      (await grpcError(comms.chat.editMessage({ id: message.id, text: 'mine', etag: '' }, as(bob))))
        .code,
    ).toBe(status.PERMISSION_DENIED);
  });

  it('leaves a tombstone without text or history when a message is deleted', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    await comms.chat.joinRoom({ roomId: channel.id }, as(bob));
    await comms.chat.joinRoom({ roomId: channel.id }, as(carol));
    const message = await post(bob, channel.id, 'secret password');
    await comms.chat.editMessage({ id: message.id, text: 'secret password!', etag: '' }, as(bob));
    expect((await grpcError(comms.chat.deleteMessage({ id: message.id }, as(carol)))).code).toBe(
      status.PERMISSION_DENIED,
    );
    const tombstone = await comms.chat.deleteMessage({ id: message.id }, as(alice)); // the room owner
    expect(tombstone).toMatchObject({ text: '', id: message.id });
    expect(tombstone.deleteTime).toBeInstanceOf(Date);
    const listed = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId: channel.id }),
      as(carol),
    );
    expect(listed.messages).toEqual([expect.objectContaining({ id: message.id, text: '' })]);
    expect((await comms.chat.getEditHistory({ id: message.id }, as(carol))).edits).toEqual([]);
    const messageEvents = await events.waitForSubject(message.id, 3);
    expect(messageEvents[2].type).toBe('nexus.comms.chat-message.deleted');
    expect(JSON.stringify(messageEvents[2].data.after)).not.toContain('secret');
  });
});

describe('read markers', () => {
  it('counts unread messages per room in ListRooms until MarkRoomRead', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const busy = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob.user.id]);
    const quiet = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob.user.id]);
    for (let i = 0; i < 3; i += 1) await post(alice, busy.id, `news ${i}`);
    await post(bob, quiet.id, 'my own message');

    const unread = async (user: TestUser) =>
      Object.fromEntries(
        (await comms.chat.listRooms(commsV1.ListRoomsRequest.fromPartial({}), as(user))).rooms.map(
          (r) => [r.id, r.unreadCount],
        ),
      );
    expect(await unread(bob)).toEqual({ [busy.id]: 3, [quiet.id]: 0 });
    expect(await unread(alice)).toEqual({ [busy.id]: 0, [quiet.id]: 1 });
    await comms.chat.markRoomRead({ roomId: busy.id }, as(bob));
    expect(await unread(bob)).toEqual({ [busy.id]: 0, [quiet.id]: 0 });
  });
});
