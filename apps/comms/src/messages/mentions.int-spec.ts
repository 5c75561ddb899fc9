import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commsV1 } from '@nexus/proto';
import { EventCollector, grpcError, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;
let events: EventCollector;

beforeAll(async () => {
  comms = await startComms();
  events = await EventCollector.start(['nexus.comms.chat-message']);
}, 120_000);

afterAll(async () => {
  await events.stop();
  await comms.stop();
});

const { RoomKind } = commsV1;

async function room(owner: TestUser, kind: commsV1.RoomKind, members: TestUser[] = []) {
  return comms.chat.createRoom(
    {
      room: commsV1.ChatRoom.fromPartial({ name: `mentions-${uuidv7().slice(-6)}`, kind }),
      memberIds: members.map((member) => member.user.id),
      requestId: '',
    },
    as(owner),
  );
}

const post = (user: TestUser, roomId: string, text: string) =>
  comms.chat.postMessage(
    { roomId, text, attachmentIds: [], replyToId: '', requestId: '' },
    as(user),
  );

const edit = (user: TestUser, id: string, text: string) =>
  comms.chat.editMessage({ id, text, etag: '' }, as(user));

const at = (user: TestUser) => `<@${user.user.id}>`;

async function counts(user: TestUser, roomId: string) {
  const seen = await comms.chat.getRoom({ id: roomId }, as(user));
  return { unread: seen.unreadCount, mentions: seen.mentionCount };
}

/** The users each `mentioned` event about `messageId` names, in order, once `count` arrived. */
async function mentionedUsers(messageId: string, count: number): Promise<string[]> {
  await events.waitFor(
    () => events.about(messageId).filter((e) => e.type.endsWith('.mentioned')).length >= count,
  );
  return events
    .about(messageId)
    .filter((e) => e.type === 'nexus.comms.chat-message.mentioned')
    .map((e) => (e.data.after as { userId: string }).userId);
}

describe('mentions in chat messages', () => {
  it('counts the mentions after the read marker beside the unread count; MarkRoomRead clears both', async () => {
    const [alice, bob, carol] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob, carol]);
    await post(alice, team.id, `hi ${at(bob)}`);
    await post(alice, team.id, '<!room> standup in 5');
    await post(alice, team.id, 'nothing for anyone');
    // Named and <!room> at once: one mention, not two.
    await post(alice, team.id, `${at(bob)} and <!room>`);
    const gone = await post(alice, team.id, `${at(bob)} this goes away`);
    await comms.chat.deleteMessage({ id: gone.id }, as(alice));

    expect(await counts(bob, team.id)).toEqual({ unread: 5, mentions: 3 });
    expect(await counts(carol, team.id)).toEqual({ unread: 5, mentions: 2 });
    expect(await counts(alice, team.id)).toEqual({ unread: 0, mentions: 0 });
    const listed = await comms.chat.listRooms(
      commsV1.ListRoomsRequest.fromPartial({ pageSize: 50 }),
      as(bob),
    );
    expect(listed.rooms.find((r) => r.id === team.id)?.mentionCount).toBe(3);

    expect(await comms.chat.markRoomRead({ roomId: team.id }, as(bob))).toEqual({
      unreadCount: 0,
      mentionCount: 0,
    });
    expect(await counts(bob, team.id)).toEqual({ unread: 0, mentions: 0 });
    expect(await counts(carol, team.id)).toEqual({ unread: 5, mentions: 2 });

    await post(carol, team.id, `${at(bob)} one more`);
    expect(await counts(bob, team.id)).toEqual({ unread: 1, mentions: 1 });
  });

  it('emits one mentioned event per user, without the text; an edit notifies only the newly mentioned', async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      comms.signUp(),
      comms.signUp(),
      comms.signUp(),
      comms.signUp(),
    ]);
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob, carol, dave]);
    const message = await post(alice, team.id, `${at(bob)} secret words ${at(alice)}`);
    expect(await mentionedUsers(message.id, 1)).toEqual([bob.user.id]);

    const mention = events.about(message.id).find((e) => e.type.endsWith('.mentioned'))!;
    expect(mention.data.before).toBeNull();
    expect(mention.data.after).toEqual({
      userId: bob.user.id,
      resourceType: 'chat-message',
      resourceId: message.id,
      parentId: team.id,
      actorId: alice.user.id,
      createTime: expect.any(String) as string,
    });
    expect(mention.data.actor).toBe(alice.user.id);
    expect(JSON.stringify(mention.data)).not.toContain('secret');

    await edit(alice, message.id, `${at(bob)} secret words, ${at(carol)} too`);
    expect(await mentionedUsers(message.id, 2)).toEqual([bob.user.id, carol.user.id]);
    // <!room> now reaches dave alone: bob and carol were mentioned already, alice wrote it.
    await edit(alice, message.id, `<!room> ${at(bob)} ${at(carol)}`);
    expect(await mentionedUsers(message.id, 3)).toEqual([bob.user.id, carol.user.id, dave.user.id]);
    // A text that drops a mention and adds none notifies no one.
    await edit(alice, message.id, `<!room> ${at(carol)}`);
    await post(alice, team.id, `${at(bob)} later`); // a marker event to wait for
    await events.waitFor(() =>
      events.events.some(
        (e) =>
          e.type.endsWith('.mentioned') &&
          (e.data.after as { parentId: string }).parentId === team.id &&
          e.subject !== message.id,
      ),
    );
    expect(
      events
        .about(message.id)
        .map((e) => e.type.replace('nexus.comms.chat-message.', ''))
        .join(' '),
    ).toBe('created mentioned updated mentioned updated mentioned updated');
  });

  it('refuses a mention of a user who cannot read the room, or of no active user; writes nothing', async () => {
    const [alice, bob, eve] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const secret = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob]);

    const outsider = await grpcError(post(alice, secret.id, `${at(bob)} ${at(eve)} look`));
    expect(outsider.code).toBe(status.INVALID_ARGUMENT);
    expect(outsider.reason).toBe('MENTIONED_USER_CANNOT_READ');
    expect(outsider.fields).toEqual(['text']);
    expect(outsider.details).toContain(eve.user.id);

    const nobody = await grpcError(post(alice, secret.id, `<@${uuidv7()}> hello`));
    expect(nobody.code).toBe(status.INVALID_ARGUMENT);
    expect(nobody.reason).toBe('UNKNOWN_USER');
    expect(nobody.fields).toEqual(['text']);

    const crowd = Array.from({ length: 51 }, () => `<@${uuidv7()}>`).join(' ');
    const tooMany = await grpcError(post(alice, secret.id, crowd));
    expect(tooMany.reason).toBe('TOO_MANY_MENTIONS');

    const listed = await comms.chat.listMessages(
      commsV1.ListMessagesRequest.fromPartial({ roomId: secret.id }),
      as(alice),
    );
    expect(listed.messages).toEqual([]);

    // An edit is held to the same rule for what it adds.
    const message = await post(alice, secret.id, `${at(bob)} fine`);
    const added = await grpcError(edit(alice, message.id, `${at(bob)} ${at(eve)}`));
    expect(added.reason).toBe('MENTIONED_USER_CANNOT_READ');
  });

  it('lets anyone be mentioned in a channel, members or not', async () => {
    const [alice, eve] = await Promise.all([comms.signUp(), comms.signUp()]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    const message = await post(alice, channel.id, `${at(eve)} have a look`);
    expect(await mentionedUsers(message.id, 1)).toEqual([eve.user.id]);
    // Counts are a member's: eve sees one once she joins (her marker starts at the beginning).
    expect((await counts(eve, channel.id)).mentions).toBe(0);
    await comms.chat.joinRoom({ roomId: channel.id }, as(eve));
    expect(await counts(eve, channel.id)).toEqual({ unread: 1, mentions: 1 });
  });
});
