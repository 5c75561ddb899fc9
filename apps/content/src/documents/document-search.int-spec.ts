import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { commonV1, contentV1 } from '@nexus/proto';
import { grpcError, startUsersProcess, type TestUser, type UsersProcess } from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

let users: UsersProcess;
let content: ContentHarness;

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({ USERS_GRPC_ADDRESS: users.address, LOG_LEVEL: 'error' });
}, 120_000);

afterAll(async () => {
  await content?.stop();
  await users?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const docs = () => content.client.documents;
const { DocumentKind, ShareRole } = contentV1;

/** A word no other test writes, so each test searches only its own documents. */
const uniqueWord = () => `zq${randomBytes(5).toString('hex').replace(/\d/g, 'x')}`;

const create = (
  owner: TestUser,
  title: string,
  content: Record<string, unknown> = {},
  kind = DocumentKind.DOCUMENT_KIND_DOCUMENT,
) =>
  docs().createDocument(
    {
      document: contentV1.Document.fromPartial({ title, kind, content }),
      requestId: '',
      versionNote: '',
    },
    as(owner),
  );

const paragraphs = (...texts: string[]) => ({
  blocks: texts.map((text) => ({ type: 'paragraph', text })),
});

function search(
  user: TestUser,
  query: string,
  more: Partial<contentV1.SearchDocumentsRequest> = {},
) {
  return docs().searchDocuments(
    contentV1.SearchDocumentsRequest.fromPartial({ query, ...more }),
    as(user),
  );
}

const titles = (response: contentV1.SearchDocumentsResponse) =>
  response.results.map((result) => result.document!.title);
/** Exact matches only: with none, the search answers titles close to the words (approximate). */
const exactTitles = (response: contentV1.SearchDocumentsResponse) =>
  response.approximate ? [] : titles(response);

describe('SearchDocuments', () => {
  it('ranks title matches above body matches, stems, and highlights escaped snippets', async () => {
    const alice = await users.signUp();
    const w = uniqueWord();
    await create(alice, `${w} notes`, paragraphs('The budgets of <b>Café</b> Q3 are done.'));
    await create(alice, `${w} Budget review`, paragraphs('Nothing else here.'));
    await create(alice, `${w} unrelated`, paragraphs('planning only'));

    const found = await search(alice, `${w} budget `);
    expect(titles(found)).toEqual([`${w} Budget review`, `${w} notes`]);
    expect(found.results[1].snippet).toContain('<mark>budgets</mark> of &lt;b&gt;Café&lt;/b&gt;');
    expect(found.results[0].document!.ownerId).toBe(alice.user.id);
    expect(found.approximate).toBe(false);
    expect(titles(await search(alice, `${w} cafe `))).toEqual([`${w} notes`]);
  });

  it('reads the text nodes of each kind of document, and not their structure', async () => {
    const alice = await users.signUp();
    const w = uniqueWord();
    await create(alice, `${w} doc`, {
      blocks: [
        'loose string block',
        { type: 'heading', text: 'Harbour', level: 1 },
        { type: 'list', children: [{ type: 'item', text: 'lighthouse keeper' }] },
      ],
    });
    await create(
      alice,
      `${w} sheet`,
      {
        sheets: [
          {
            name: 'Inventory',
            cells: [
              ['Item', 'Count'],
              ['anchor', 12],
              [{ value: 'rope', format: 'bold' }, '=SUM(B2:B3)'],
            ],
          },
        ],
      },
      DocumentKind.DOCUMENT_KIND_SPREADSHEET,
    );
    await create(
      alice,
      `${w} deck`,
      {
        slides: [
          { layout: 'title', title: 'Tides', blocks: ['moon phases'], notes: 'mention the storm' },
        ],
      },
      DocumentKind.DOCUMENT_KIND_PRESENTATION,
    );

    const only = async (query: string) => exactTitles(await search(alice, `${w} ${query} `));
    expect(await only('harbour')).toEqual([`${w} doc`]);
    expect(await only('lighthouse keeper')).toEqual([`${w} doc`]);
    expect(await only('loose')).toEqual([`${w} doc`]);
    expect(await only('inventory anchor rope')).toEqual([`${w} sheet`]);
    expect(await only('tides moon storm')).toEqual([`${w} deck`]);
    // Keys, structural values and formulas are not text.
    expect(await only('heading')).toEqual([]);
    expect(await only('paragraph')).toEqual([]);
    expect(await only('bold')).toEqual([]);
    expect(await only('sum')).toEqual([]);
    expect(await only('layout')).toEqual([]);

    const body = await search(alice, `${w} lighthouse `);
    expect(body.results[0].snippet).toContain('<mark>lighthouse</mark> keeper');
  });

  it('matches phrases, exclusions, OR and the prefix of the last word', async () => {
    const alice = await users.signUp();
    const w = uniqueWord();
    await create(alice, `${w} one`, paragraphs('the release notes are ready'));
    await create(alice, `${w} two`, paragraphs('notes about the release'));
    await create(alice, `${w} three`, paragraphs('draft forecast'));

    expect(titles(await search(alice, `${w} "release notes" `))).toEqual([`${w} one`]);
    expect(titles(await search(alice, `${w} release -ready `))).toEqual([`${w} two`]);
    expect(titles(await search(alice, `${w} ready OR forecast `)).sort()).toEqual(
      [`${w} one`, `${w} three`].sort(),
    );
    expect(titles(await search(alice, `${w} forec`))).toEqual([`${w} three`]);
  });

  it('finds only what the caller could get: owner, every share role, admins; a revoked share at once', async () => {
    const [owner, viewer, commenter, editor, stranger] = await Promise.all([
      users.signUp(),
      users.signUp(),
      users.signUp(),
      users.signUp(),
      users.signUp(),
    ]);
    const admin = await users.signUp(commonV1.Role.ROLE_ADMIN);
    const guest = await users.signUp(commonV1.Role.ROLE_GUEST);
    const w = uniqueWord();
    const secret = await create(owner, `${w} secret plan`, paragraphs('the plan'));
    for (const [user, role] of [
      [viewer, ShareRole.SHARE_ROLE_VIEWER],
      [commenter, ShareRole.SHARE_ROLE_COMMENTER],
      [editor, ShareRole.SHARE_ROLE_EDITOR],
      [guest, ShareRole.SHARE_ROLE_VIEWER],
    ] as const) {
      await docs().shareDocument({ documentId: secret.id, userId: user.user.id, role }, as(owner));
    }

    for (const user of [owner, viewer, commenter, editor, guest, admin]) {
      expect(titles(await search(user, `${w} plan `))).toEqual([`${w} secret plan`]);
    }
    const outsider = await search(stranger, `${w} plan `, { includeTotalSize: true });
    expect(titles(outsider)).toEqual([]);
    expect(outsider.totalSize).toBe(0);
    expect(titles(await search(stranger, `${w} `, { ownerId: owner.user.id }))).toEqual([]);

    await docs().revokeShare({ documentId: secret.id, userId: viewer.user.id }, as(owner));
    expect(titles(await search(viewer, `${w} plan `))).toEqual([]);
    expect(titles(await search(commenter, `${w} plan `))).toEqual([`${w} secret plan`]);
  });

  it('leaves out documents in the trash, and finds them again once restored', async () => {
    const alice = await users.signUp();
    const admin = await users.signUp(commonV1.Role.ROLE_ADMIN);
    const w = uniqueWord();
    const gone = await create(alice, `${w} trashed`);
    await create(alice, `${w} kept`);
    await docs().deleteDocument({ id: gone.id, etag: '' }, as(alice));

    expect(titles(await search(alice, `${w} `))).toEqual([`${w} kept`]);
    expect(titles(await search(admin, `${w} `))).toEqual([`${w} kept`]);
    await docs().undeleteDocument({ id: gone.id }, as(alice));
    expect(titles(await search(alice, `${w} `)).sort()).toEqual([`${w} kept`, `${w} trashed`]);
  });

  it('follows a document edit: the old words go, the new ones are found', async () => {
    const alice = await users.signUp();
    const w = uniqueWord();
    const document = await create(alice, `${w} draft`, paragraphs('walrus'));
    await docs().updateDocument(
      contentV1.UpdateDocumentRequest.fromPartial({
        document: { id: document.id, etag: document.etag, content: paragraphs('penguin') },
        updateMask: ['content'],
      }),
      as(alice),
    );
    expect(exactTitles(await search(alice, `${w} walrus `))).toEqual([]);
    expect(titles(await search(alice, `${w} penguin `))).toEqual([`${w} draft`]);
  });

  it('filters by kind, owner and update time, and pages with a token bound to the query', async () => {
    const [alice, bob] = await Promise.all([users.signUp(), users.signUp()]);
    const w = uniqueWord();
    const bobs = await create(bob, `${w} from bob`);
    await docs().shareDocument(
      { documentId: bobs.id, userId: alice.user.id, role: ShareRole.SHARE_ROLE_VIEWER },
      as(bob),
    );
    const start = new Date();
    for (let i = 0; i < 5; i += 1) await create(alice, `${w} number ${i}`);
    await create(alice, `${w} sheet`, {}, DocumentKind.DOCUMENT_KIND_SPREADSHEET);

    expect(titles(await search(alice, `${w} `, { ownerId: bob.user.id }))).toEqual([
      `${w} from bob`,
    ]);
    expect(
      titles(await search(alice, `${w} `, { kind: DocumentKind.DOCUMENT_KIND_SPREADSHEET })),
    ).toEqual([`${w} sheet`]);
    expect(titles(await search(alice, `${w} `, { updateTimeBefore: start }))).toEqual([
      `${w} from bob`,
    ]);
    expect(titles(await search(alice, `${w} `, { updateTimeAfter: start }))).toHaveLength(6);

    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await search(alice, `${w} number `, { pageSize: 2, pageToken });
      seen.push(...titles(page));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken);
    // Equal ranks: most recently updated first.
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${w} number ${i}`));
    expect(pages).toBe(3);

    const first = await search(alice, `${w} `, { pageSize: 2 });
    for (const [user, query] of [
      [alice, `${w} number `],
      [bob, `${w} `],
    ] as const) {
      const replayed = await grpcError(
        search(user, query, { pageSize: 2, pageToken: first.nextPageToken }),
      );
      expect(replayed.code).toBe(status.INVALID_ARGUMENT);
      expect(replayed.details).toContain('page_token');
    }
  });

  it('falls back to titles close to a misspelled word, within what the caller can read', async () => {
    const [alice, bob] = await Promise.all([users.signUp(), users.signUp()]);
    await create(alice, 'Kilimanjaro expedition budget', paragraphs('porters and tents'));
    await create(bob, 'Kilimanjaro expedition photos');

    const found = await search(alice, 'kilimanjrao ');
    expect(found.approximate).toBe(true);
    expect(titles(found)).toEqual(['Kilimanjaro expedition budget']);
    const exact = await search(alice, 'kilimanjaro ');
    expect(exact.approximate).toBe(false);
    expect(titles(exact)).toEqual(['Kilimanjaro expedition budget']);
  });

  it('indexes a document whose whole text would not fit in a tsvector (1 MB)', async () => {
    const alice = await users.signUp();
    const w = uniqueWord();
    // About 64,000 distinct words: their tsvector alone would pass the 1 MB a tsvector holds.
    const words: string[] = [];
    for (let length = 0; length < 700_000;) {
      const word = randomBytes(5).toString('hex').replace(/\d/g, 'q');
      words.push(word);
      length += word.length + 1;
    }
    const document = await create(alice, `${w} huge`, { blocks: [`${w}tail`, words.join(' ')] });
    expect(document.id).toBeTruthy();
    expect(titles(await search(alice, `${w}tail `))).toEqual([`${w} huge`]);
  });

  it('refuses bad requests with the field and reason', async () => {
    const alice = await users.signUp();
    for (const [request, field] of [
      [{ query: '' }, 'query'],
      [{ query: '  OR  ' }, 'query'],
      [{ query: '-draft' }, 'query'],
      [{ query: 'a'.repeat(501) }, 'query'],
      [{ query: 'plan', ownerId: 'not-a-uuid' }, 'owner_id'],
      [{ query: 'plan', kind: 99 as contentV1.DocumentKind }, 'kind'],
      [
        {
          query: 'plan',
          updateTimeAfter: new Date('2026-02-01'),
          updateTimeBefore: new Date('2026-01-01'),
        },
        'update_time_before',
      ],
      [{ query: 'plan', pageToken: 'garbage' }, 'page_token'],
    ] as const) {
      const error = await grpcError(search(alice, request.query, request));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain(field);
    }
  });
});
