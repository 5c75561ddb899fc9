import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { EventCollector, as, grpcError, signTestToken } from '@nexus/testing';
import { DocumentShareEntity } from './document-share.entity';
import { DocumentVersionEntity } from './document-version.entity';
import { startContent, type ContentHarness } from '../testing/content-harness';

let content: ContentHarness;
let events: EventCollector;

beforeAll(async () => {
  content = await startContent();
  events = await EventCollector.start(['nexus.content.document']);
});

afterAll(async () => {
  await events.stop();
  await content.stop();
});

const person = (role: 'user' | 'admin' | 'guest' | 'manager' = 'user') => {
  const userId = uuidv7();
  return { userId, token: signTestToken({ role, userId }) };
};
const docs = () => content.client.documents;

async function createDoc(
  token: string,
  overrides: Partial<contentV1.Document> = {},
  requestId = '',
): Promise<contentV1.Document> {
  return docs().createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: `Plan ${uuidv7().slice(-8)}`,
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
        content: { blocks: ['hello'] },
        ...overrides,
      }),
      requestId,
      versionNote: 'first draft',
    },
    as(token),
  );
}

function update(
  token: string,
  document: contentV1.Document,
  fields: Partial<contentV1.Document>,
  mask: string[],
) {
  return docs().updateDocument(
    {
      document: contentV1.Document.fromPartial({ id: document.id, etag: document.etag, ...fields }),
      updateMask: mask,
      versionNote: '',
    },
    as(token),
  );
}

describe('CreateDocument', () => {
  it('creates version 1 owned by the caller and emits one created event', async () => {
    const owner = person();
    const document = await createDoc(owner.token, {
      kind: contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET,
    });
    expect(document).toMatchObject({
      ownerId: owner.userId,
      kind: contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET,
      currentVersion: 1,
      content: { blocks: ['hello'] },
      shares: [],
      etag: '"1"',
    });
    const version = await docs().getDocumentVersion(
      { documentId: document.id, number: 1 },
      as(owner.token),
    );
    expect(version).toMatchObject({
      title: document.title,
      authorId: owner.userId,
      note: 'first draft',
    });
    const [created] = await events.waitForSubject(document.id, 1);
    expect(created).toMatchObject({ type: 'nexus.content.document.created' });
    expect(created?.data.actor).toBe(owner.userId);
  });

  it('reports every malformed field and writes nothing', async () => {
    const owner = person();
    const error = await grpcError(
      docs().createDocument(
        {
          document: contentV1.Document.fromPartial({ title: ' ', kind: 0 }),
          requestId: 'nope',
          versionNote: 'x'.repeat(501),
        },
        as(owner.token),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual(
      ['document.kind', 'document.title', 'request_id', 'version_note'].sort(),
    );
    const mine = await docs().listDocuments(
      contentV1.ListDocumentsRequest.fromPartial({}),
      as(owner.token),
    );
    expect(mine.documents).toEqual([]);
  });

  it('returns the first document for a retried create with the same request id', async () => {
    const owner = person();
    const requestId = uuidv7();
    const [a, b] = await Promise.all([
      createDoc(owner.token, { title: 'Once' }, requestId),
      createDoc(owner.token, { title: 'Once' }, requestId),
    ]);
    expect(b.id).toBe(a.id);
    const versions = await docs().listDocumentVersions(
      { documentId: a.id, pageSize: 0, pageToken: '' },
      as(owner.token),
    );
    expect(versions.versions).toHaveLength(1);
  });

  it('requires a token and refuses guests', async () => {
    expect((await grpcError(createDoc(''))).code).toBe(status.UNAUTHENTICATED);
    expect((await grpcError(createDoc(person('guest').token))).code).toBe(status.PERMISSION_DENIED);
  });
});

describe('UpdateDocument and versions', () => {
  it('makes a new immutable version for every change of title or content', async () => {
    const owner = person();
    const v1 = await createDoc(owner.token);
    const v2 = await update(owner.token, v1, { title: 'Renamed' }, ['title']);
    const v3 = await update(owner.token, v2, { content: { blocks: ['b'] } }, ['content']);
    expect([v2.currentVersion, v3.currentVersion]).toEqual([2, 3]);
    expect(v3).toMatchObject({ title: 'Renamed', content: { blocks: ['b'] }, etag: '"3"' });
    const history = await docs().listDocumentVersions(
      { documentId: v1.id, pageSize: 2, pageToken: '' },
      as(owner.token),
    );
    expect(history.versions.map((v) => [v.number, v.title])).toEqual([
      [3, 'Renamed'],
      [2, 'Renamed'],
    ]);
    const rest = await docs().listDocumentVersions(
      { documentId: v1.id, pageSize: 2, pageToken: history.nextPageToken },
      as(owner.token),
    );
    expect(rest.versions.map((v) => v.number)).toEqual([1]);
    expect(rest.nextPageToken).toBe('');
    // History is append-only in the database too.
    await expect(
      content.service.runtime.dataSource.manager.update(
        DocumentVersionEntity,
        { documentId: v1.id, number: 1 },
        { title: 'rewritten' },
      ),
    ).rejects.toThrow(/immutable/);
  });

  it('writes no version and no event when nothing changes', async () => {
    const owner = person();
    const document = await createDoc(owner.token);
    await events.waitForSubject(document.id, 1);
    const same = await update(owner.token, document, { title: document.title }, ['title']);
    expect(same.etag).toBe(document.etag);
    expect(same.currentVersion).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.about(document.id)).toHaveLength(1);
  });

  it('lets exactly one of two writers with the same etag win; the other gets ABORTED', async () => {
    const owner = person();
    const document = await createDoc(owner.token);
    const results = await Promise.all(
      ['Writer A', 'Writer B'].map((title) =>
        update(owner.token, document, { title }, ['title']).then(
          (won) => ({ won }),
          (error: unknown) => grpcError(Promise.reject(error as Error)).then((lost) => ({ lost })),
        ),
      ),
    );
    const winners = results.flatMap((r) => ('won' in r ? [r.won] : []));
    const losers = results.flatMap((r) => ('lost' in r ? [r.lost] : []));
    expect(winners).toHaveLength(1);
    expect(losers.map((l) => l.code)).toEqual([status.ABORTED]);
    const current = await docs().getDocument({ id: document.id }, as(owner.token));
    expect(current.currentVersion).toBe(2);
    expect(current.title).toBe(winners[0]?.title);
  });

  it('refuses an unknown mask path and validates only the named fields', async () => {
    const owner = person();
    const document = await createDoc(owner.token);
    const bad = await grpcError(update(owner.token, document, { ownerId: uuidv7() }, ['owner_id']));
    expect(bad).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['update_mask'] });
    const empty = await grpcError(update(owner.token, document, { title: '' }, ['title']));
    expect(empty.fields).toEqual(['document.title']);
  });

  it('restores an old version as a new one, keeping the history', async () => {
    const owner = person();
    const v1 = await createDoc(owner.token, { title: 'Original' });
    const v2 = await update(owner.token, v1, { title: 'Changed', content: { x: 1 } }, [
      'title',
      'content',
    ]);
    const restored = await docs().restoreDocumentVersion(
      { documentId: v1.id, number: 1, etag: v2.etag },
      as(owner.token),
    );
    expect(restored).toMatchObject({ title: 'Original', content: v1.content, currentVersion: 3 });
    const v3 = await docs().getDocumentVersion({ documentId: v1.id, number: 3 }, as(owner.token));
    expect(v3.note).toBe('restored from version 1');
    const missing = await grpcError(
      docs().getDocumentVersion({ documentId: v1.id, number: 9 }, as(owner.token)),
    );
    expect(missing.code).toBe(status.NOT_FOUND);
  });
});

describe('access without a share', () => {
  it('denies reading, listing, versions and writing to other users, and allows admins', async () => {
    const owner = person();
    const stranger = person();
    const document = await createDoc(owner.token);
    for (const call of [
      () => docs().getDocument({ id: document.id }, as(stranger.token)),
      () => docs().getDocumentVersion({ documentId: document.id, number: 1 }, as(stranger.token)),
      () => docs().listShares({ documentId: document.id }, as(stranger.token)),
      () => update(stranger.token, document, { title: 'Mine now' }, ['title']),
      () => docs().deleteDocument({ id: document.id, etag: '' }, as(stranger.token)),
    ]) {
      expect((await grpcError(call())).code).toBe(status.PERMISSION_DENIED);
    }
    const listed = await docs().listDocuments(
      contentV1.ListDocumentsRequest.fromPartial({}),
      as(stranger.token),
    );
    expect(listed.documents.map((d) => d.id)).not.toContain(document.id);
    const admin = person('admin');
    const renamed = await update(admin.token, document, { title: 'By admin' }, ['title']);
    expect(renamed.title).toBe('By admin');
  });

  it('treats shares as the access list: a viewer reads, an editor edits, neither manages', async () => {
    const owner = person();
    const viewer = person();
    const editor = person();
    const document = await createDoc(owner.token);
    // Shares are inserted directly here; ShareDocument (with its user lookup) is tested with a users service.
    await content.service.runtime.dataSource.manager.insert(DocumentShareEntity, [
      { documentId: document.id, userId: viewer.userId, role: 'viewer', grantedBy: owner.userId },
      { documentId: document.id, userId: editor.userId, role: 'editor', grantedBy: owner.userId },
    ]);
    expect((await docs().getDocument({ id: document.id }, as(viewer.token))).id).toBe(document.id);
    expect((await grpcError(update(viewer.token, document, { title: 'v' }, ['title']))).code).toBe(
      status.PERMISSION_DENIED,
    );
    const edited = await update(editor.token, document, { title: 'Edited' }, ['title']);
    expect(edited.title).toBe('Edited');
    expect(
      (await grpcError(docs().deleteDocument({ id: document.id, etag: '' }, as(editor.token))))
        .code,
    ).toBe(status.PERMISSION_DENIED);
  });
});

describe('ListDocuments', () => {
  it('lists mine plus shared with me, with typed filters and keyset pages', async () => {
    const me = person();
    const other = person();
    const tag = uuidv7().slice(-6);
    const sheet = await createDoc(me.token, {
      title: `Budget ${tag}`,
      kind: contentV1.DocumentKind.DOCUMENT_KIND_SPREADSHEET,
    });
    const deck = await createDoc(me.token, {
      title: `Pitch ${tag}`,
      kind: contentV1.DocumentKind.DOCUMENT_KIND_PRESENTATION,
    });
    const theirs = await createDoc(other.token, { title: `budget shared ${tag}` });
    await createDoc(other.token, { title: `Budget private ${tag}` });
    await content.service.runtime.dataSource.manager.insert(DocumentShareEntity, {
      documentId: theirs.id,
      userId: me.userId,
      role: 'viewer',
      grantedBy: other.userId,
    });
    const list = (request: Partial<contentV1.ListDocumentsRequest>) =>
      docs().listDocuments(contentV1.ListDocumentsRequest.fromPartial(request), as(me.token));

    const all = await list({ orderBy: contentV1.DocumentOrderBy.DOCUMENT_ORDER_BY_TITLE_ASC });
    expect(all.documents.map((d) => d.id)).toEqual([sheet.id, deck.id, theirs.id]);
    expect((await list({ sharedWithMe: true })).documents.map((d) => d.id)).toEqual([theirs.id]);
    expect(
      (await list({ kind: contentV1.DocumentKind.DOCUMENT_KIND_PRESENTATION })).documents.map(
        (d) => d.id,
      ),
    ).toEqual([deck.id]);
    const budget = await list({
      titlePrefix: 'BUDGET',
      orderBy: contentV1.DocumentOrderBy.DOCUMENT_ORDER_BY_TITLE_ASC,
    });
    expect(budget.documents.map((d) => d.id)).toEqual([sheet.id, theirs.id]);
    expect((await list({ ownerId: other.userId })).documents.map((d) => d.id)).toEqual([theirs.id]);
    const recent = await list({ updateTimeAfter: deck.updateTime });
    expect(recent.documents.map((d) => d.id)).toEqual(expect.arrayContaining([deck.id]));
    expect(
      (await list({ updateTimeBefore: sheet.updateTime })).documents.map((d) => d.id),
    ).not.toContain(sheet.id);

    const first = await list({ pageSize: 2, includeTotalSize: true });
    expect(first.documents).toHaveLength(2);
    expect(first.totalSize).toBe(3);
    const second = await list({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.documents).toHaveLength(1);
    expect(second.nextPageToken).toBe('');
    const ids = [...first.documents, ...second.documents].map((d) => d.id);
    expect(new Set(ids).size).toBe(3);

    const stolen = await grpcError(
      docs().listDocuments(
        contentV1.ListDocumentsRequest.fromPartial({ pageSize: 2, pageToken: first.nextPageToken }),
        as(other.token),
      ),
    );
    expect(stolen.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('trash', () => {
  it('moves to the trash, hides it unless show_deleted, and restores it', async () => {
    const owner = person();
    const document = await createDoc(owner.token);
    const trashed = await docs().deleteDocument(
      { id: document.id, etag: document.etag },
      as(owner.token),
    );
    expect(trashed.deleteTime).toBeDefined();
    const retention = trashed.purgeTime!.getTime() - trashed.deleteTime!.getTime();
    expect(retention).toBe(30 * 86_400_000);
    const list = (showDeleted: boolean) =>
      docs().listDocuments(
        contentV1.ListDocumentsRequest.fromPartial({ showDeleted }),
        as(owner.token),
      );
    expect((await list(false)).documents).toEqual([]);
    expect((await list(true)).documents.map((d) => d.id)).toEqual([document.id]);
    expect((await grpcError(update(owner.token, trashed, { title: 'x' }, ['title']))).code).toBe(
      status.NOT_FOUND,
    );
    const restored = await docs().undeleteDocument({ id: document.id }, as(owner.token));
    expect(restored.deleteTime).toBeUndefined();
    expect(restored.purgeTime).toBeUndefined();
    expect(
      (await grpcError(docs().undeleteDocument({ id: document.id }, as(owner.token)))).code,
    ).toBe(status.FAILED_PRECONDITION);
    const types = (await events.waitForSubject(document.id, 3)).map((e) => e.type);
    expect(types).toEqual([
      'nexus.content.document.created',
      'nexus.content.document.deleted',
      'nexus.content.document.restored',
    ]);
  });

  it('purges only from the trash, erasing versions and shares', async () => {
    const owner = person();
    const document = await createDoc(owner.token);
    const notTrashed = await grpcError(
      docs().purgeDocument({ id: document.id, etag: '' }, as(owner.token)),
    );
    expect(notTrashed.code).toBe(status.FAILED_PRECONDITION);
    await docs().deleteDocument({ id: document.id, etag: '' }, as(owner.token));
    await docs().purgeDocument({ id: document.id, etag: '' }, as(owner.token));
    expect((await grpcError(docs().getDocument({ id: document.id }, as(owner.token)))).code).toBe(
      status.NOT_FOUND,
    );
    const versions = await content.service.runtime.dataSource.manager.countBy(
      DocumentVersionEntity,
      { documentId: document.id },
    );
    expect(versions).toBe(0);
    const last = (await events.waitForSubject(document.id, 3)).at(-1);
    expect(last).toMatchObject({ type: 'nexus.content.document.deleted' });
    expect(last?.data.after).toBeNull();
  });

  it('purges trashed documents whose retention ran out, one deleted event each', async () => {
    const owner = person();
    const expired = await createDoc(owner.token);
    const kept = await createDoc(owner.token);
    await docs().deleteDocument({ id: expired.id, etag: '' }, as(owner.token));
    await docs().deleteDocument({ id: kept.id, etag: '' }, as(owner.token));
    await content.service.runtime.dataSource.query(
      `UPDATE content.documents SET purge_at = now() - interval '1 second' WHERE id = $1`,
      [expired.id],
    );
    expect(await content.parts.purger.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect((await grpcError(docs().getDocument({ id: expired.id }, as(owner.token)))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await docs().getDocument({ id: kept.id }, as(owner.token))).deleteTime).toBeDefined();
    const purgedEvents = (await events.waitForSubject(expired.id, 3)).filter(
      (e) => e.type === 'nexus.content.document.deleted' && e.data.after === null,
    );
    expect(purgedEvents).toHaveLength(1);
  });
});
