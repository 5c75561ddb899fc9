import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { commsV1 } from '@nexus/proto';
import { grpcError, type TestUser } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;

beforeAll(async () => {
  comms = await startComms();
}, 120_000);

afterAll(async () => {
  await comms.stop();
});

const { RoomKind } = commsV1;

/** A word no other test writes, so each test searches only its own messages. */
const uniqueWord = () => `zq${randomBytes(5).toString('hex').replace(/\d/g, 'x')}`;

async function room(owner: TestUser, kind: commsV1.RoomKind, memberIds: string[] = []) {
  return comms.chat.createRoom(
    {
      room: commsV1.ChatRoom.fromPartial({ name: `search-${uniqueWord()}`, kind }),
      memberIds,
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

function search(user: TestUser, query: string, more: Partial<commsV1.SearchMessagesRequest> = {}) {
  return comms.chat.searchMessages(
    commsV1.SearchMessagesRequest.fromPartial({ query, ...more }),
    as(user),
  );
}

const texts = (response: commsV1.SearchMessagesResponse) =>
  response.results.map((result) => result.message!.text);

describe('SearchMessages', () => {
  it('ranks by relevance, stems and strips accents, and highlights escaped snippets', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    const channel = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    await post(alice, channel.id, `${w} once, about the Café budget <script>`);
    await post(alice, channel.id, `${w} ${w} ${w}: budgets and more budgeting`);
    await post(alice, channel.id, `nothing to see here`);

    const found = await search(alice, `${w} budget `);
    expect(texts(found)).toEqual([
      `${w} ${w} ${w}: budgets and more budgeting`,
      `${w} once, about the Café budget <script>`,
    ]);
    expect(found.results[1].snippet).toContain('Café <mark>budget</mark> &lt;script');
    expect(found.results[0].message!.authorId).toBe(alice.user.id);
    expect(texts(await search(alice, `${w} cafe `))).toHaveLength(1);
    expect(found.approximate).toBe(false);
  });

  it('matches phrases, exclusions, OR and the prefix of the last word', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    const channel = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    await post(alice, channel.id, `${w} the release notes are ready`);
    await post(alice, channel.id, `${w} notes about the release`);
    await post(alice, channel.id, `${w} draft forecast`);

    expect(texts(await search(alice, `${w} "release notes" `))).toEqual([
      `${w} the release notes are ready`,
    ]);
    expect(texts(await search(alice, `${w} release -ready `))).toEqual([
      `${w} notes about the release`,
    ]);
    expect(texts(await search(alice, `${w} ready OR forecast `)).sort()).toEqual(
      [`${w} draft forecast`, `${w} the release notes are ready`].sort(),
    );
    expect(texts(await search(alice, `${w} forec`))).toEqual([`${w} draft forecast`]);
  });

  it('finds only messages of rooms the caller can read', async () => {
    const [alice, bob, eve] = await Promise.all([comms.signUp(), comms.signUp(), comms.signUp()]);
    const w = uniqueWord();
    const secret = await room(alice, RoomKind.ROOM_KIND_PRIVATE, [bob.user.id]);
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    await post(alice, secret.id, `${w} secret plan`);
    await post(alice, channel.id, `${w} public plan`);

    expect(texts(await search(bob, `${w} plan `)).sort()).toEqual(
      [`${w} public plan`, `${w} secret plan`].sort(),
    );
    const outsider = await search(eve, `${w} plan `, { includeTotalSize: true });
    expect(texts(outsider)).toEqual([`${w} public plan`]);
    expect(outsider.totalSize).toBe(1);
    expect(texts(await search(eve, `${w} secret `, { roomId: secret.id }))).toEqual([]);

    await comms.chat.removeMember({ roomId: secret.id, userId: bob.user.id }, as(alice));
    expect(texts(await search(bob, `${w} secret `))).toEqual([]);
  });

  it('leaves out deleted messages and archived rooms', async () => {
    const alice = await comms.signUp();
    const w = uniqueWord();
    const kept = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    const archived = await room(alice, RoomKind.ROOM_KIND_PRIVATE);
    const gone = await post(alice, kept.id, `${w} removed later`);
    await post(alice, kept.id, `${w} stays`);
    await post(alice, archived.id, `${w} archived`);
    await comms.chat.deleteMessage({ id: gone.id }, as(alice));
    await comms.chat.deleteRoom({ id: archived.id, etag: '' }, as(alice));

    expect(texts(await search(alice, `${w} `))).toEqual([`${w} stays`]);
  });

  it('filters by room, author and time, and pages with a token bound to the query', async () => {
    const [alice, bob] = await Promise.all([comms.signUp(), comms.signUp()]);
    const w = uniqueWord();
    const channel = await room(alice, RoomKind.ROOM_KIND_CHANNEL);
    await comms.chat.joinRoom({ roomId: channel.id }, as(bob));
    const start = new Date();
    for (let i = 0; i < 5; i += 1) await post(alice, channel.id, `${w} number ${i}`);
    await post(bob, channel.id, `${w} from bob`);

    expect(texts(await search(alice, `${w} `, { authorId: bob.user.id }))).toEqual([
      `${w} from bob`,
    ]);
    expect(texts(await search(alice, `${w} `, { endTime: start }))).toEqual([]);

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await search(alice, `${w} `, { roomId: channel.id, pageSize: 2, pageToken });
      seen.push(...texts(page));
      pageToken = page.nextPageToken;
    } while (pageToken);
    // Equal ranks: newest first.
    expect(seen).toEqual([`${w} from bob`, ...[4, 3, 2, 1, 0].map((i) => `${w} number ${i}`)]);

    const first = await search(alice, `${w} `, { pageSize: 2 });
    const replayed = await grpcError(
      search(alice, `${w} number `, { pageSize: 2, pageToken: first.nextPageToken }),
    );
    expect(replayed.code).toBe(status.INVALID_ARGUMENT);
    expect(replayed.details).toContain('page_token');
  });

  it('refuses queries with nothing to search for, with the field and reason', async () => {
    const alice = await comms.signUp();
    for (const query of ['', '  OR  ', '-draft', '"', 'a'.repeat(501)]) {
      const error = await grpcError(search(alice, query));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain('query');
    }
  });
});
