import { Metadata, credentials, status, type ClientReadableStream } from '@grpc/grpc-js';
import { commsV1 } from '@nexus/proto';
import { startService, type RunningService } from '@nexus/runtime';
import { WatchReader, bearer, type TestUser } from '@nexus/testing';
import { commsService } from '../comms.app';
import { commsConfig } from '../config';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

/**
 * WatchRoom and WatchMyRooms across two replicas of comms (one database,
 * one Kafka): changes made through replica A reach streams open on B.
 */
let a: CommsHarness;
let b: RunningService;
let watchClient: commsV1.ChatServiceClient;
let ann: TestUser;
let bob: TestUser;
let cat: TestUser;
const open: ClientReadableStream<unknown>[] = [];

beforeAll(async () => {
  a = await startComms();
  // Small, so that a subscriber that stops reading is found out quickly.
  b = await startReplica({ WATCH_BUFFER_LIMIT: '20' });
  watchClient = new commsV1.ChatServiceClient(
    `127.0.0.1:${b.grpcPort}`,
    credentials.createInsecure(),
  );
  [ann, bob, cat] = await Promise.all([a.signUp(), a.signUp(), a.signUp()]);
}, 120_000);

afterAll(async () => {
  for (const stream of open) stream.cancel();
  watchClient?.close();
  await b?.stop();
  await a?.stop();
});

/** Another comms replica on the same database, broker and users service as `a`. */
async function startReplica(env: Record<string, string> = {}): Promise<RunningService> {
  const config = commsConfig({
    ...process.env,
    BIND_HOST: '127.0.0.1',
    COMMS_GRPC_PORT: '0',
    COMMS_HTTP_PORT: '0',
    USERS_GRPC_ADDRESS: a.users.address,
    CONTENT_ATTACHMENT_CHECK: 'false',
    ...env,
  });
  return startService(commsService(config), config.service);
}

/** Reads a Watch (the kit's test reader), cancelled after the tests if still open. */
function reader<T>(stream: ClientReadableStream<T>): WatchReader<T> {
  open.push(stream);
  return new WatchReader(stream);
}

/** The items that are changes (not the caught_up marker). */
const changes = <T extends { verb: string }>(items: T[]): T[] =>
  items.filter((item) => item.verb !== 'caught_up');

/**
 * The message items. "From now" is the feed's position when the stream
 * opens, so the room's own `created`, committed just before, may still
 * arrive as a live change.
 */
const messages = (items: commsV1.WatchRoomResponse[]) =>
  items.filter((item) => item.resource?.$case === 'message');

const caughtUp = (items: { verb: string }[]) => items.some((item) => item.verb === 'caught_up');

function watchRoom(user: TestUser, roomId: string, cursor = '') {
  return reader(watchClient.watchRoom({ roomId, cursor }, bearer(user.token)));
}

async function privateRoom(owner: TestUser, members: TestUser[]): Promise<string> {
  const room = await a.chat.createRoom(
    {
      room: commsV1.ChatRoom.fromPartial({
        name: `live ${Date.now()}`,
        kind: commsV1.RoomKind.ROOM_KIND_PRIVATE,
      }),
      memberIds: members.map((member) => member.user.id),
      requestId: '',
    },
    as(owner),
  );
  return room.id;
}

const post = (user: TestUser, roomId: string, text: string) =>
  a.chat.postMessage({ roomId, text, attachmentIds: [], replyToId: '', requestId: '' }, as(user));

const messageText = (item: commsV1.WatchRoomResponse) =>
  item.resource?.$case === 'message' ? item.resource.value.text : undefined;

describe('WatchRoom', () => {
  it('delivers what is posted through the other replica, after a caught_up item', async () => {
    const roomId = await privateRoom(ann, [bob]);
    const watched = watchRoom(bob, roomId);
    await watched.until(caughtUp);

    await post(ann, roomId, 'hello from A');
    await watched.until((items) =>
      changes(items).some((item) => messageText(item) === 'hello from A'),
    );
    const item = changes(watched.items).find((i) => messageText(i) === 'hello from A');
    expect(item).toMatchObject({ verb: 'created', actorId: ann.user.id });
    expect(item?.cursor).not.toBe('');
    watched.cancel();
  }, 60_000);

  it('resumes from a cursor with exactly the changes missed, in order', async () => {
    const roomId = await privateRoom(ann, [bob]);
    const first = watchRoom(bob, roomId);
    await first.until(caughtUp);
    await post(ann, roomId, 'seen');
    await first.until((items) => changes(items).some((item) => messageText(item) === 'seen'));
    const cursor = changes(first.items).find((item) => messageText(item) === 'seen')!.cursor;
    first.cancel();

    for (const text of ['missed 1', 'missed 2', 'missed 3']) await post(ann, roomId, text);
    const resumed = watchRoom(bob, roomId, cursor);
    await resumed.until(caughtUp);
    await post(ann, roomId, 'live again');
    await resumed.until((items) =>
      changes(items).some((item) => messageText(item) === 'live again'),
    );

    expect(changes(resumed.items).map(messageText)).toEqual([
      'missed 1',
      'missed 2',
      'missed 3',
      'live again',
    ]);
    resumed.cancel();
  }, 60_000);

  it('ends the stream of a member removed from a private room with NOT_FOUND', async () => {
    const roomId = await privateRoom(ann, [bob]);
    const watched = watchRoom(bob, roomId);
    await watched.until(caughtUp);
    await a.chat.removeMember({ roomId, userId: bob.user.id }, as(ann));
    expect((await watched.error()).code).toBe(status.NOT_FOUND);
    await post(ann, roomId, 'after bob left');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(changes(watched.items).some((item) => messageText(item) === 'after bob left')).toBe(
      false,
    );
  }, 60_000);

  it('refuses a stranger, a bad cursor and a missing token at open', async () => {
    const roomId = await privateRoom(ann, [bob]);
    const stranger = watchRoom(cat, roomId);
    expect((await stranger.error()).code).toBe(status.NOT_FOUND);

    const forged = watchRoom(bob, roomId, Buffer.from('work:1').toString('base64url'));
    expect((await forged.error()).code).toBe(status.INVALID_ARGUMENT);

    const anonymous = reader(watchClient.watchRoom({ roomId, cursor: '' }, new Metadata()));
    expect((await anonymous.error()).code).toBe(status.UNAUTHENTICATED);
  }, 60_000);

  it('carries typing indicators and read markers', async () => {
    const roomId = await privateRoom(ann, [bob]);
    const watched = watchRoom(bob, roomId);
    await watched.until(caughtUp);
    // A client repeats SendTyping while its user types; within 2 s the repeats are dropped.
    for (let i = 0; i < 3; i++) await a.chat.sendTyping({ roomId }, as(ann));
    await post(ann, roomId, 'read me');
    await a.chat.markRoomRead({ roomId }, as(bob));
    await watched.until((items) =>
      changes(items).some((item) => item.resource?.$case === 'readMarker'),
    );
    const typings = watched.items.filter((item) => item.verb === 'typing');
    expect(typings).toHaveLength(1);
    const [typing] = typings;
    expect(typing?.resource).toMatchObject({
      $case: 'typing',
      value: { userId: ann.user.id, roomId },
    });
    expect(typing?.cursor).toBe('');
    const read = changes(watched.items).find((item) => item.resource?.$case === 'readMarker');
    expect(read?.resource).toMatchObject({ value: { userId: bob.user.id, roomId } });

    // A stranger may not signal typing in a room it cannot see.
    await expect(a.chat.sendTyping({ roomId }, as(cat))).rejects.toMatchObject({
      code: status.NOT_FOUND,
    });
  }, 60_000);
});

describe('WatchRoom under pressure', () => {
  it('ends a subscriber that stops reading with RESOURCE_EXHAUSTED while others keep receiving', async () => {
    const roomId = await privateRoom(ann, [bob, cat]);
    const slowStream = watchClient.watchRoom({ roomId, cursor: '' }, bearer(bob.token));
    const slow = reader(slowStream);
    const keeping = watchRoom(cat, roomId);
    await slow.until(caughtUp);
    await keeping.until(caughtUp);
    slowStream.pause();

    // 400 messages of 2 KB: 800 KB, far past what HTTP/2's 64 KiB stream window and the
    // socket buffers hold for a client that stopped reading, so the server-side buffer must fill.
    const texts = Array.from({ length: 400 }, (_, index) => `burst ${index} ${'x'.repeat(2_000)}`);
    for (let start = 0; start < texts.length; start += 20) {
      await Promise.all(texts.slice(start, start + 20).map((text) => post(ann, roomId, text)));
    }
    await keeping.until((items) => messages(items).length >= texts.length, 60_000);
    expect(new Set(messages(keeping.items).map(messageText))).toEqual(new Set(texts));
    expect(keeping.isOpen).toBe(true);

    slowStream.resume();
    expect((await slow.error()).code).toBe(status.RESOURCE_EXHAUSTED);
    keeping.cancel();
  }, 120_000);

  it('ends the stream when the caller signs out everywhere (UNAUTHENTICATED)', async () => {
    const dan = await a.signUp();
    const roomId = await privateRoom(ann, [dan]);
    const watched = watchRoom(dan, roomId);
    await watched.until(caughtUp);
    await a.users.client.signOutEverywhere({ userId: dan.user.id }, as(dan));
    expect((await watched.error(30_000)).code).toBe(status.UNAUTHENTICATED);
  }, 60_000);
});

describe('WatchRoom on a stopping replica', () => {
  it('ends its streams with UNAVAILABLE, and a resume elsewhere misses nothing', async () => {
    const leaving = await startReplica();
    const client = new commsV1.ChatServiceClient(
      `127.0.0.1:${leaving.grpcPort}`,
      credentials.createInsecure(),
    );
    try {
      const roomId = await privateRoom(ann, [bob]);
      const watched = reader(client.watchRoom({ roomId, cursor: '' }, bearer(bob.token)));
      await watched.until(caughtUp);
      await post(ann, roomId, 'before the stop');
      await watched.until((items) => messages(items).length === 1);
      const stopping = leaving.stop();
      expect((await watched.error()).code).toBe(status.UNAVAILABLE);
      await stopping;

      await post(ann, roomId, 'while away');
      const resumed = watchRoom(bob, roomId, messages(watched.items)[0].cursor);
      await resumed.until((items) => messages(items).length === 1);
      expect(changes(resumed.items).map(messageText)).toEqual(['while away']);
      resumed.cancel();
    } finally {
      client.close();
    }
  }, 90_000);
});

describe('WatchMyRooms', () => {
  it('counts unread messages and mentions across rooms, and clears them on read', async () => {
    const roomId = await privateRoom(ann, [bob]);
    const watched = reader(watchClient.watchMyRooms({ cursor: '' }, bearer(bob.token)));
    await watched.until(caughtUp);

    await post(ann, roomId, 'one');
    await post(ann, roomId, `two for <@${bob.user.id}>`);
    await watched.until(
      (items) => changes(items).filter((item) => item.verb === 'message').length >= 2,
    );
    expect(
      changes(watched.items).map(({ verb, unreadCount, mentionCount }) => ({
        verb,
        unreadCount,
        mentionCount,
      })),
    ).toEqual([
      { verb: 'message', unreadCount: 1, mentionCount: 0 },
      { verb: 'message', unreadCount: 2, mentionCount: 1 },
    ]);

    await a.chat.markRoomRead({ roomId }, as(bob));
    await watched.until((items) => changes(items).some((item) => item.verb === 'read'));
    expect(changes(watched.items).at(-1)).toMatchObject({ verb: 'read', roomId, unreadCount: 0 });

    const other = await privateRoom(cat, [bob]);
    await watched.until((items) => changes(items).some((item) => item.verb === 'joined'));
    expect(changes(watched.items).at(-1)).toMatchObject({ verb: 'joined', roomId: other });
    watched.cancel();
  }, 60_000);
});
