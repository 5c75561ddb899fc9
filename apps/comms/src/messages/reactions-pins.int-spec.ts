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
      room: commsV1.ChatRoom.fromPartial({ name: `react-${uuidv7().slice(-6)}`, kind }),
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

const react = (user: TestUser, messageId: string, emoji: string) =>
  comms.chat.addReaction({ messageId, emoji }, as(user));
const unreact = (user: TestUser, messageId: string, emoji: string) =>
  comms.chat.removeReaction({ messageId, emoji }, as(user));
const pin = (user: TestUser, id: string) => comms.chat.pinMessage({ id }, as(user));
const unpin = (user: TestUser, id: string) => comms.chat.unpinMessage({ id }, as(user));

async function pinned(user: TestUser, roomId: string, pageSize = 100): Promise<string[]> {
  const ids: string[] = [];
  let pageToken = '';
  do {
    const page = await comms.chat.listPinnedMessages({ roomId, pageSize, pageToken }, as(user));
    ids.push(...page.messages.map((m) => m.id));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return ids;
}

async function seenBy(user: TestUser, roomId: string, id: string) {
  const page = await comms.chat.listMessages(
    commsV1.ListMessagesRequest.fromPartial({ roomId, pageSize: 100 }),
    as(user),
  );
  return page.messages.find((m) => m.id === id)!;
}

const verbs = (subject: string) =>
  events.about(subject).map((e) => e.type.replace('nexus.comms.chat-message.', ''));

describe('reactions', () => {
  it('keeps one reaction per user per emoji; the message shows counts and the reader own', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob]);
    const message = await post(alice, team.id, 'ship it?');

    const once = await react(alice, message.id, '👍');
    const twice = await react(alice, message.id, '👍');
    expect(twice.reactions).toEqual([{ emoji: '👍', count: 1, reacted: true }]);
    expect(twice.etag).toBe(once.etag);
    await react(bob, message.id, '👍');
    // "❤" without its variation selector is the same reaction as "❤️".
    await react(bob, message.id, '❤');
    const fromBob = await react(bob, message.id, '❤️');
    expect(fromBob.reactions).toEqual([
      { emoji: '👍', count: 2, reacted: true },
      { emoji: '❤️', count: 1, reacted: true },
    ]);
    expect((await seenBy(alice, team.id, message.id)).reactions).toEqual([
      { emoji: '👍', count: 2, reacted: true },
      { emoji: '❤️', count: 1, reacted: false },
    ]);

    const taken = await unreact(bob, message.id, '👍');
    expect(taken.reactions[0]).toEqual({ emoji: '👍', count: 1, reacted: false });
    const again = await unreact(bob, message.id, '👍');
    expect(again.etag).toBe(taken.etag);

    await events.waitForSubject(message.id, 5);
    expect(verbs(message.id)).toEqual([
      'created',
      'reaction_added',
      'reaction_added',
      'reaction_added',
      'reaction_removed',
    ]);
    const last = events.about(message.id)[4];
    expect(last.data.actor).toBe(bob.user.id);
    expect(last.data.changed).toContain('reactions');
    // Events are the same for every reader: nobody's own reaction is in them.
    expect((last.data.after as { reactions: unknown[] }).reactions).toEqual([
      { emoji: '👍', count: 1 },
      { emoji: '❤️', count: 1 },
    ]);
  });

  it('counts concurrent reactions of many users', async () => {
    const owner = await comms.signUp();
    const crowd = await Promise.all(Array.from({ length: 20 }, () => comms.signUp()));
    const channel = await room(owner, RoomKind.ROOM_KIND_CHANNEL, crowd);
    const message = await post(owner, channel.id, 'release is out');
    await Promise.all(crowd.map((user) => react(user, message.id, '🎉')));
    await Promise.all(crowd.slice(0, 5).map((user) => react(user, message.id, '🎉')));
    const seen = await seenBy(owner, channel.id, message.id);
    expect(seen.reactions).toEqual([{ emoji: '🎉', count: 20, reacted: false }]);
    await events.waitForSubject(message.id, 21);
    expect(verbs(message.id).filter((verb) => verb === 'reaction_added')).toHaveLength(20);
  });

  it('refuses what is not one emoji or a shortcode, and a 51st kind of reaction', async () => {
    const alice = await comms.signUp();
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    const message = await post(alice, team.id, 'vote');
    for (const emoji of ['', '👍👍', 'ok', '❤\uFE0E', ':Big:', `:${'a'.repeat(65)}:`]) {
      const error = await grpcError(react(alice, message.id, emoji));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(['emoji']);
    }
    for (const emoji of ['👩‍👩‍👧', '👍🏽', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '1️⃣', ':party_parrot:']) {
      await react(alice, message.id, emoji);
    }
    for (let i = 5; i < 50; i += 1) await react(alice, message.id, `:e${i}:`);
    const full = await grpcError(react(alice, message.id, ':one_too_many:'));
    expect(full.code).toBe(status.FAILED_PRECONDITION);
    expect(full.reason).toBe('REACTION_LIMIT_REACHED');
    // Another user may still add to an emoji the message has.
    const bob = await comms.signUp();
    await comms.chat.inviteMembers({ roomId: team.id, userIds: [bob.user.id] }, as(alice));
    expect((await react(bob, message.id, '👍🏽')).reactions[1]).toEqual({
      emoji: '👍🏽',
      count: 2,
      reacted: true,
    });
  });
});

describe('pins', () => {
  it('lets members pin and unpin, lists the most recently pinned first, and emits pinned/unpinned', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob]);
    const first = await post(alice, team.id, 'agenda');
    const second = await post(alice, team.id, 'notes');

    const done = await pin(bob, first.id);
    expect(done.pinnedBy).toBe(bob.user.id);
    expect(done.pinTime).toBeInstanceOf(Date);
    expect((await pin(bob, first.id)).etag).toBe(done.etag);
    await pin(alice, second.id);
    expect(await pinned(alice, team.id, 1)).toEqual([second.id, first.id]);

    const loose = await unpin(alice, first.id);
    expect(loose.pinTime).toBeUndefined();
    expect(loose.pinnedBy).toBe('');
    expect(await pinned(bob, team.id)).toEqual([second.id]);
    // A deleted message leaves the pins.
    await comms.chat.deleteMessage({ id: second.id }, as(alice));
    expect(await pinned(bob, team.id)).toEqual([]);

    await events.waitForSubject(first.id, 3);
    expect(verbs(first.id)).toEqual(['created', 'pinned', 'unpinned']);
  });

  it('holds at most 50 pins per room, also when pinned at once', async () => {
    const alice = await comms.signUp();
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    const messages = [];
    for (let i = 0; i < 52; i += 1) messages.push(await post(alice, team.id, `item ${i}`));
    const failures = await Promise.all(
      messages.map((m) =>
        pin(alice, m.id).then(
          () => null,
          (error: Error) => error,
        ),
      ),
    );
    const refused = failures.filter((failure) => failure !== null);
    expect(refused).toHaveLength(2);
    const error = await grpcError(Promise.reject(refused[0]));
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.reason).toBe('PIN_LIMIT_REACHED');
    const list = await pinned(alice, team.id, 20);
    expect(list).toHaveLength(50);

    // Unpinning one frees a place; deleting a pinned message does too.
    const notPinned = messages.filter((m) => !list.includes(m.id));
    await unpin(alice, list[0]);
    await pin(alice, notPinned[0].id);
    await comms.chat.deleteMessage({ id: list[1] }, as(alice));
    await pin(alice, notPinned[1].id);
    expect(await pinned(alice, team.id)).toHaveLength(50);
  });
});

describe('who may react and pin', () => {
  it('hides a private room from non-members (NOT_FOUND) and refuses a channel non-member (PERMISSION_DENIED)', async () => {
    const [alice, eve] = await Promise.all([comms.signUp(), comms.signUp()]);
    const secret = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    const hidden = await post(alice, secret.id, 'members only');
    await pin(alice, hidden.id);
    // One call at a time: a refusal not yet awaited would be an unhandled rejection.
    for (const call of [
      () => react(eve, hidden.id, '👀'),
      () => unreact(eve, hidden.id, '👀'),
      () => pin(eve, hidden.id),
      () => unpin(eve, hidden.id),
      () =>
        comms.chat.listPinnedMessages({ roomId: secret.id, pageSize: 0, pageToken: '' }, as(eve)),
    ]) {
      expect((await grpcError(call())).code).toBe(status.NOT_FOUND);
    }

    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    const open = await post(alice, channel.id, 'everyone can read');
    await pin(alice, open.id);
    expect(await pinned(eve, channel.id)).toEqual([open.id]);
    for (const call of [
      () => react(eve, open.id, '👀'),
      () => pin(eve, open.id),
      () => unpin(eve, open.id),
    ]) {
      const error = await grpcError(call());
      expect(error.code).toBe(status.PERMISSION_DENIED);
      expect(error.reason).toBe('NOT_A_MEMBER');
    }
  });

  it('refuses reactions and pins on a deleted message', async () => {
    const alice = await comms.signUp();
    const team = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    const message = await post(alice, team.id, 'oops');
    await react(alice, message.id, '👍');
    const tombstone = await comms.chat.deleteMessage({ id: message.id }, as(alice));
    expect(tombstone.reactions).toEqual([]);
    for (const call of [() => react(alice, message.id, '👍'), () => pin(alice, message.id)]) {
      expect((await grpcError(call())).reason).toBe('MESSAGE_DELETED');
    }
  });
});
