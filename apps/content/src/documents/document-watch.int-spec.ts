import { credentials, status } from '@grpc/grpc-js';
import { commonV1, contentV1 } from '@nexus/proto';
import {
  WatchReader,
  bearer,
  grpcError,
  startUsersProcess,
  type TestUser,
  type UsersProcess,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

type Item = contentV1.WatchDocumentResponse;
const { SHARE_ROLE_VIEWER: VIEWER, SHARE_ROLE_EDITOR: EDITOR } = contentV1.ShareRole;

let users: UsersProcess;
let content: ContentHarness;
let client: contentV1.DocumentServiceClient;
let owner: TestUser;
let editor: TestUser;
let outsider: TestUser;
let admin: TestUser;
const open: WatchReader<Item>[] = [];

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({ USERS_GRPC_ADDRESS: users.address });
  client = new contentV1.DocumentServiceClient(
    `127.0.0.1:${content.service.grpcPort}`,
    credentials.createInsecure(),
  );
  [owner, editor, outsider, admin] = await Promise.all([
    users.signUp(),
    users.signUp(),
    users.signUp(),
    users.signUp(commonV1.Role.ROLE_ADMIN),
  ]);
}, 120_000);

afterEach(() => {
  for (const reader of open.splice(0)) reader.cancel();
});

afterAll(async () => {
  client?.close();
  await content?.stop();
  await users?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const docs = () => content.client.documents;

function watch(user: TestUser, documentId: string, cursor = ''): WatchReader<Item> {
  const reader = new WatchReader(client.watchDocument({ documentId, cursor }, bearer(user.token)));
  open.push(reader);
  return reader;
}

/** A stream past its caught_up item (live from here on). */
async function live(user: TestUser, documentId: string): Promise<WatchReader<Item>> {
  const reader = watch(user, documentId);
  const [first] = await reader.take(1);
  expect(first).toMatchObject({ verb: 'caught_up', resource: undefined });
  expect(first.cursor).not.toBe('');
  return reader;
}

/**
 * The etags of a document's setup changes (created, shared with the
 * editor): a stream opened right after them may still get them live, since
 * "from now" is where the change feed is, which may trail the commits.
 */
const setup = new Set<string>();

/** A document of the owner's shared with the editor; its setup changes are left out of `changes`. */
async function sharedDoc(): Promise<contentV1.Document> {
  const created = await docs().createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: 'Plan',
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
      }),
      requestId: '',
      versionNote: '',
    },
    as(owner),
  );
  await docs().shareDocument(
    { documentId: created.id, userId: editor.user.id, role: EDITOR },
    as(owner),
  );
  const shared = await docs().getDocument({ id: created.id }, as(owner));
  setup.add(created.etag).add(shared.etag);
  return shared;
}

const body = (item: Item) =>
  item.resource?.$case === 'document' ? item.resource.value : contentV1.Document.fromPartial({});

const what = (item: Item) => {
  const document = body(item);
  return `${item.verb} v${document.currentVersion} ${document.title} shares=${document.shares
    .map((share) => contentV1.ShareRole[share.role].replace('SHARE_ROLE_', ''))
    .sort()
    .join(',')}`;
};

/** The stream's changes but caught_up and the setup's. */
const changes = (items: Item[]) =>
  items.filter((item) => item.verb !== 'caught_up' && !setup.has(body(item).etag));

async function take(reader: WatchReader<Item>, count: number): Promise<Item[]> {
  const items = await reader.until((all) => changes(all).length >= count);
  return changes(items).slice(0, count);
}

async function retitle(document: contentV1.Document, title: string, by = owner) {
  return docs().updateDocument(
    { document: { ...document, title }, updateMask: ['title'], versionNote: '' },
    as(by),
  );
}

describe('WatchDocument', () => {
  it('sends new versions with their etag, share changes and trash as they are made, to an editor and an admin, and nothing of other documents', async () => {
    const document = await sharedDoc();
    const other = await sharedDoc();
    const byEditor = await live(editor, document.id);
    const byAdmin = await live(admin, document.id);

    const v2 = await retitle(document, 'Plan B', editor);
    await retitle(other, 'Elsewhere');
    await docs().shareDocument(
      { documentId: document.id, userId: outsider.user.id, role: VIEWER },
      as(owner),
    );
    await docs().updateShare(
      { documentId: document.id, userId: outsider.user.id, role: EDITOR },
      as(owner),
    );
    const trashed = await docs().deleteDocument({ id: document.id, etag: '' }, as(owner));
    const restored = await docs().undeleteDocument({ id: document.id }, as(owner));

    for (const reader of [byEditor, byAdmin]) {
      const items = await take(reader, 5);
      expect(items.map(what)).toEqual([
        'updated v2 Plan B shares=EDITOR',
        'updated v2 Plan B shares=EDITOR,VIEWER',
        'updated v2 Plan B shares=EDITOR,EDITOR',
        'deleted v2 Plan B shares=EDITOR,EDITOR',
        'restored v2 Plan B shares=EDITOR,EDITOR',
      ]);
      // The new version's item is the document UpdateDocument returned: the editor's copy is stale.
      expect(body(items[0])).toEqual(v2);
      expect(items[0].actorId).toBe(editor.user.id);
      expect(body(items[3]).deleteTime).toEqual(trashed.deleteTime);
      expect(body(items[4]).etag).toBe(restored.etag);
      expect(new Set(items.map((item) => item.cursor)).size).toBe(5);
    }
  }, 60_000);

  it('resumes after a cursor with exactly the changes missed, in order, then live ones', async () => {
    const document = await sharedDoc();
    const first = await live(editor, document.id);
    const v2 = await retitle(document, 'Seen');
    const [seen] = await take(first, 1);
    expect(what(seen)).toBe('updated v2 Seen shares=EDITOR');
    first.cancel();

    const v3 = await retitle(v2, 'Missed 1');
    await retitle(await sharedDoc(), 'Not this document');
    await retitle(v3, 'Missed 2');

    const resumed = watch(editor, document.id, seen.cursor);
    const missed = await take(resumed, 2);
    const current = await docs().getDocument({ id: document.id }, as(owner));
    await retitle(current, 'Live');
    const items = await resumed.until((all) => changes(all).length >= 3);
    expect(changes(items).map(what)).toEqual([
      'updated v3 Missed 1 shares=EDITOR',
      'updated v4 Missed 2 shares=EDITOR',
      'updated v5 Live shares=EDITOR',
    ]);
    expect(body(missed[1]).etag).toBe(current.etag);
    expect(items.filter((item) => item.verb === 'caught_up')).toHaveLength(1);
    expect(items).toHaveLength(4);
  }, 60_000);

  it("ends the stream of a reader whose share is revoked with GetDocument's status, and sends them nothing after", async () => {
    const document = await sharedDoc();
    const reader = await live(editor, document.id);
    const byOwner = await live(owner, document.id);
    await docs().revokeShare({ documentId: document.id, userId: editor.user.id }, as(owner));
    const after = await docs().getDocument({ id: document.id }, as(owner));
    await retitle(after, 'After');

    const ended = await reader.error();
    const get = await grpcError(docs().getDocument({ id: document.id }, as(editor)));
    expect(ended.code).toBe(status.PERMISSION_DENIED);
    expect([ended.code, ended.reason]).toEqual([get.code, get.reason]);
    expect(changes(reader.items)).toEqual([]);
    const items = await take(byOwner, 2);
    expect(items.map(what)).toEqual(['updated v1 Plan shares=', 'updated v2 After shares=']);
  }, 60_000);

  it('ends the stream with NOT_FOUND when the document is purged, after its move to the trash', async () => {
    const document = await sharedDoc();
    const reader = await live(editor, document.id);
    await docs().deleteDocument({ id: document.id, etag: '' }, as(owner));
    await docs().purgeDocument({ id: document.id, etag: '' }, as(owner));
    const ended = await reader.error();
    expect(ended.code).toBe(status.NOT_FOUND);
    expect(changes(reader.items).map((item) => item.verb)).toEqual(['deleted']);
  }, 60_000);

  it("refuses a stranger at open with GetDocument's status, and an unknown document with NOT_FOUND", async () => {
    const document = await sharedDoc();
    const stranger = await watch(outsider, document.id).error();
    const get = await grpcError(docs().getDocument({ id: document.id }, as(outsider)));
    expect([stranger.code, stranger.reason]).toEqual([get.code, get.reason]);
    expect(stranger.code).toBe(status.PERMISSION_DENIED);
    const unknown = await watch(owner, '0190d5c2-7b1e-7cc0-8000-00000000dead').error();
    expect(unknown.code).toBe(status.NOT_FOUND);
  }, 60_000);

  it('refuses a document id that is no UUID, an overlong cursor and a cursor it never gave with INVALID_ARGUMENT', async () => {
    const document = await sharedDoc();
    const badId = await watch(owner, 'not-a-uuid').error();
    expect([badId.code, badId.fields]).toEqual([status.INVALID_ARGUMENT, ['document_id']]);
    const long = await watch(owner, document.id, 'x'.repeat(257)).error();
    expect([long.code, long.fields]).toEqual([status.INVALID_ARGUMENT, ['cursor']]);
    const foreign = Buffer.from('work:1').toString('base64url');
    const notOurs = await watch(owner, document.id, foreign).error();
    expect([notOurs.code, notOurs.fields]).toEqual([status.INVALID_ARGUMENT, ['cursor']]);
    expect(notOurs.details).toMatch(/not a cursor this service gave/);
  }, 60_000);
});
