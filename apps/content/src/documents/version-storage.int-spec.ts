import { status } from '@grpc/grpc-js';
import { contentV1 } from '@nexus/proto';
import {
  EventCollector,
  grpcError,
  startUsersProcess,
  type TestUser,
  type UsersProcess,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

/** Versions stored as snapshots and deltas, and retention (3 newest kept, 30 days, a snapshot every 5). */

let users: UsersProcess;
let content: ContentHarness;
let events: EventCollector;

const VERSION_TOPIC = 'nexus.content.document-version';

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({
    USERS_GRPC_ADDRESS: users.address,
    CONTENT_VERSIONS_KEPT: '3',
    CONTENT_VERSION_RETENTION_DAYS: '30',
    CONTENT_VERSION_SNAPSHOT_EVERY: '5',
  });
  events = await EventCollector.start([VERSION_TOPIC]);
});

afterAll(async () => {
  await events?.stop();
  await content?.stop();
  await users?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const docs = () => content.client.documents;
const sql = <T>(text: string, params: unknown[] = []) =>
  content.service.runtime.dataSource.query<T>(text, params);

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

const WORDS = [
  'alpha',
  'budget',
  'ça',
  'naïve',
  '😀',
  '😁',
  'quarter',
  'roadmap',
  '"q"',
  '\\',
  'line\n',
];

type Body = { blocks: string[]; meta: Record<string, unknown> };

/** One realistic edit: a word typed or removed, a paragraph added or dropped, a value, a key order. */
function edit(body: Body, rnd: ReturnType<typeof random>): Body {
  const blocks = [...body.blocks];
  const meta = { ...body.meta };
  const at = rnd.int(blocks.length);
  switch (rnd.int(7)) {
    case 0:
      blocks[at] = `${blocks[at]} ${WORDS[rnd.int(WORDS.length)]}`;
      break;
    case 1:
      blocks.splice(at, 0, `New paragraph ${rnd.int(1e6)} ${WORDS[rnd.int(WORDS.length)]}`);
      break;
    case 2:
      if (blocks.length > 1) blocks.splice(at, 1);
      break;
    case 3:
      // Same high surrogate, other low one: the cut must not split the pair.
      blocks[at] = blocks[at].includes('😀') ? blocks[at].replace('😀', '😁') : `${blocks[at]}😀`;
      break;
    case 4:
      meta[`k${rnd.int(20)}`] =
        rnd.next() < 0.5 ? -rnd.next() * 1e12 : { nested: [rnd.int(9), null, true] };
      break;
    case 5:
      return { meta, blocks: blocks.reverse().reverse() }; // keys in another order, same content
    default:
      blocks[at] = blocks[at].slice(0, Math.max(0, blocks[at].length - 1 - rnd.int(5)));
  }
  return { blocks, meta };
}

async function createDoc(owner: TestUser, body: Body): Promise<contentV1.Document> {
  return docs().createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: 'History',
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
        content: body,
      }),
      requestId: '',
      versionNote: '',
    },
    as(owner),
  );
}

/** Makes `count` versions after version 1, returning every version's content by number. */
async function editMany(
  owner: TestUser,
  document: contentV1.Document,
  count: number,
  seed: number,
): Promise<{ document: contentV1.Document; written: Map<number, unknown> }> {
  const rnd = random(seed);
  const written = new Map<number, unknown>([[1, document.content]]);
  let current = document;
  let body = document.content as Body;
  while (current.currentVersion < count + 1) {
    body = edit(body, rnd);
    current = await docs().updateDocument(
      {
        document: contentV1.Document.fromPartial({
          id: current.id,
          etag: current.etag,
          content: body,
          title: rnd.next() < 0.1 ? `History ${rnd.int(100)}` : current.title,
        }),
        updateMask: ['content', 'title'],
        versionNote: '',
      },
      as(owner),
    );
    written.set(current.currentVersion, current.content);
  }
  return { document: current, written };
}

const initialBody = (paragraphs: number): Body => ({
  blocks: Array.from({ length: paragraphs }, (_, i) => `Paragraph ${i}: ${'words '.repeat(30)}`),
  meta: { author: 'ada', pages: 3 },
});

async function allVersions(owner: TestUser, documentId: string) {
  const versions: contentV1.DocumentVersion[] = [];
  let pageToken = '';
  do {
    const page = await docs().listDocumentVersions(
      { documentId, pageSize: 7, pageToken },
      as(owner),
    );
    versions.push(...page.versions);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return versions;
}

/** Moves a document's versions back in time (the immutability trigger refuses it; replica mode skips triggers). */
async function backdate(documentId: string, days: number): Promise<void> {
  await content.service.runtime.dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL session_replication_role = replica`);
    await manager.query(
      `UPDATE "content"."document_versions" SET created_at = created_at - make_interval(days => $2)
        WHERE document_id = $1`,
      [documentId, days],
    );
  });
}

describe('compact version storage', () => {
  it('gives back exactly what was written, version by version, over many random edits', async () => {
    const owner = await users.signUp();
    for (const seed of [1, 2, 3]) {
      const created = await createDoc(owner, initialBody(40));
      const { document, written } = await editMany(owner, created, 60, seed);
      const listed = await allVersions(owner, document.id);
      expect(listed.map((version) => version.number)).toEqual(
        [...written.keys()].sort((a, b) => b - a),
      );
      for (const version of listed) {
        expect({ number: version.number, content: version.content }).toEqual({
          number: version.number,
          content: written.get(version.number),
        });
        const got = await docs().getDocumentVersion(
          { documentId: document.id, number: version.number },
          as(owner),
        );
        expect(got.content).toEqual(written.get(version.number));
      }
      const rows = await sql<{ deltas: string; longest: number }[]>(
        `SELECT count(*) FILTER (WHERE delta IS NOT NULL) AS deltas, max(chain_length) AS longest
           FROM "content"."document_versions" WHERE document_id = $1`,
        [document.id],
      );
      expect(Number(rows[0].deltas)).toBeGreaterThan(30);
      expect(rows[0].longest).toBeLessThan(5);
    }
  });

  it('restores a version stored as a delta to its exact content', async () => {
    const owner = await users.signUp();
    const { document, written } = await editMany(
      owner,
      await createDoc(owner, initialBody(10)),
      8,
      7,
    );
    const [row] = await sql<{ delta: unknown }[]>(
      `SELECT delta FROM "content"."document_versions" WHERE document_id = $1 AND number = 4`,
      [document.id],
    );
    expect(row.delta).not.toBeNull();
    const restored = await docs().restoreDocumentVersion(
      { documentId: document.id, number: 4, etag: document.etag },
      as(owner),
    );
    expect(restored.content).toEqual(written.get(4));
  });
});

describe('version retention', () => {
  it('keeps the newest versions and those kept forever, prunes the rest once old, and rebuilds a kept delta', async () => {
    const owner = await users.signUp();
    const { document, written } = await editMany(
      owner,
      await createDoc(owner, initialBody(12)),
      9,
      11,
    );
    // Version 3 is a delta on 2, which goes: it must become a snapshot.
    const kept = await docs().updateDocumentVersion(
      {
        version: contentV1.DocumentVersion.fromPartial({
          documentId: document.id,
          number: 3,
          keepForever: true,
        }),
        updateMask: ['keep_forever'],
      },
      as(owner),
    );
    expect(kept).toMatchObject({ number: 3, keepForever: true });
    expect(kept.content).toEqual(written.get(3));
    const young = await editMany(owner, await createDoc(owner, initialBody(5)), 6, 12);
    await backdate(document.id, 31);

    expect(await content.parts.pruner.pruneExpired()).toBeGreaterThanOrEqual(6);

    const left = await allVersions(owner, document.id);
    expect(left.map((version) => version.number)).toEqual([10, 9, 8, 3]);
    for (const version of left) expect(version.content).toEqual(written.get(version.number));
    const [three] = await sql<{ content: unknown; delta: unknown }[]>(
      `SELECT content, delta FROM "content"."document_versions" WHERE document_id = $1 AND number = 3`,
      [document.id],
    );
    expect(three).toMatchObject({ delta: null, content: written.get(3) });
    expect(
      (
        await grpcError(
          docs().getDocumentVersion({ documentId: document.id, number: 2 }, as(owner)),
        )
      ).code,
    ).toBe(status.NOT_FOUND);
    // Younger than the retention: every version stays, however many.
    expect(await allVersions(owner, young.document.id)).toHaveLength(7);

    const pruned = await events.waitFor(
      (all) =>
        all.filter((event) => event.subject === document.id && event.type.endsWith('.deleted'))
          .length >= 6,
    );
    const deleted = pruned.filter(
      (event) => event.subject === document.id && event.type.endsWith('.deleted'),
    );
    expect(deleted.map((event) => (event.data.before as { number: number }).number)).toEqual([
      1, 2, 4, 5, 6, 7,
    ]);
    expect(
      deleted.every(
        (event) => event.data.after === null && !('content' in (event.data.before ?? {})),
      ),
    ).toBe(true);
  });

  it('lets editors and above mark a version keep-forever, one event per change, and refuses viewers', async () => {
    const owner = await users.signUp();
    const editor = await users.signUp();
    const viewer = await users.signUp();
    const document = await createDoc(owner, initialBody(3));
    for (const [user, role] of [
      [editor, contentV1.ShareRole.SHARE_ROLE_EDITOR],
      [viewer, contentV1.ShareRole.SHARE_ROLE_VIEWER],
    ] as const) {
      await docs().shareDocument(
        { documentId: document.id, userId: user.user.id, role },
        as(owner),
      );
    }
    const mark = (user: TestUser, keepForever: boolean, mask = ['keep_forever']) =>
      docs().updateDocumentVersion(
        {
          version: contentV1.DocumentVersion.fromPartial({
            documentId: document.id,
            number: 1,
            keepForever,
          }),
          updateMask: mask,
        },
        as(user),
      );
    expect((await grpcError(mark(viewer, true))).code).toBe(status.PERMISSION_DENIED);
    expect((await grpcError(mark(editor, true, ['title']))).code).toBe(status.INVALID_ARGUMENT);
    expect((await mark(editor, true)).keepForever).toBe(true);
    expect((await mark(editor, true)).keepForever).toBe(true); // no change, no event
    expect((await mark(owner, false)).keepForever).toBe(false);
    const updates = await events.waitFor(
      (all) => all.filter((event) => event.subject === document.id).length >= 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const mine = events.about(document.id);
    expect(mine.map((event) => event.type)).toEqual([
      `${VERSION_TOPIC}.updated`,
      `${VERSION_TOPIC}.updated`,
    ]);
    expect(mine.map((event) => event.data.changed)).toEqual([['keepForever'], ['keepForever']]);
    expect(mine[0].data.actor).toBe(editor.user.id);
    expect(updates.length).toBeGreaterThanOrEqual(2);
  });
});
