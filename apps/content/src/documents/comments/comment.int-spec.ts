import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import {
  EventCollector,
  grpcError,
  startUsersProcess,
  type TestUser,
  type UsersProcess,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../../testing/content-harness';

let users: UsersProcess;
let content: ContentHarness;
let events: EventCollector;

const TOPIC = 'nexus.content.document-comment';

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({ USERS_GRPC_ADDRESS: users.address });
  events = await EventCollector.start([TOPIC]);
});

afterAll(async () => {
  await events?.stop();
  await content?.stop();
  await users?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const docs = () => content.client.documents;
const { SHARE_ROLE_VIEWER, SHARE_ROLE_COMMENTER, SHARE_ROLE_EDITOR } = contentV1.ShareRole;

interface Cast {
  owner: TestUser;
  viewer: TestUser;
  commenter: TestUser;
  editor: TestUser;
  outsider: TestUser;
  document: contentV1.Document;
}

/** A document with one user in each share role, and someone it is not shared with. */
async function cast(): Promise<Cast> {
  const [owner, viewer, commenter, editor, outsider] = await Promise.all(
    [1, 2, 3, 4, 5].map(() => users.signUp()),
  );
  const document = await docs().createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: 'Reviewed',
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
        content: { blocks: ['one', 'two', 'three'] },
      }),
      requestId: '',
      versionNote: '',
    },
    as(owner),
  );
  for (const [user, role] of [
    [viewer, SHARE_ROLE_VIEWER],
    [commenter, SHARE_ROLE_COMMENTER],
    [editor, SHARE_ROLE_EDITOR],
  ] as const) {
    await docs().shareDocument({ documentId: document.id, userId: user.user.id, role }, as(owner));
  }
  return { owner, viewer, commenter, editor, outsider, document };
}

function comment(
  user: TestUser,
  documentId: string,
  fields: Partial<contentV1.Comment>,
  requestId = '',
) {
  return docs().createComment(
    { documentId, comment: contentV1.Comment.fromPartial(fields), requestId },
    as(user),
  );
}

async function listAll(user: TestUser, documentId: string, pageSize: number, threadId = '') {
  const all: contentV1.Comment[] = [];
  let pageToken = '';
  do {
    const page = await docs().listComments({ documentId, pageSize, pageToken, threadId }, as(user));
    all.push(...page.comments);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

const eventsOf = (subject: string) => events.about(subject).map((event) => event.type);

describe('comments and share roles', () => {
  it('lets every reader read, commenters and above write, viewers not; others find nothing', async () => {
    const { owner, viewer, commenter, editor, outsider, document } = await cast();
    const anchor = { path: '/blocks/1', startOffset: 0, endOffset: 3, quote: 'two' };
    const thread = await comment(commenter, document.id, { text: 'Is this right?', anchor });
    expect(thread).toMatchObject({
      documentId: document.id,
      threadId: thread.id,
      authorId: commenter.user.id,
      text: 'Is this right?',
      anchor,
      etag: '"1"',
    });
    const reply = await comment(editor, document.id, { threadId: thread.id, text: 'Yes.' });
    expect(reply.threadId).toBe(thread.id);
    await comment(owner, document.id, { threadId: reply.id, text: 'Agreed.' }); // a reply's id answers its thread

    for (const reader of [viewer, commenter, editor, owner]) {
      const listed = await listAll(reader, document.id, 50);
      expect(listed.map((c) => c.text)).toEqual(['Is this right?', 'Yes.', 'Agreed.']);
      expect((await docs().getComment({ id: reply.id }, as(reader))).text).toBe('Yes.');
    }

    const byViewer = await grpcError(comment(viewer, document.id, { text: 'me too' }));
    expect(byViewer.code).toBe(status.PERMISSION_DENIED);
    const viewerReply = await grpcError(
      comment(viewer, document.id, { threadId: thread.id, text: 'me too' }),
    );
    expect(viewerReply.code).toBe(status.PERMISSION_DENIED);
    const viewerResolve = await grpcError(
      docs().resolveComment({ id: thread.id, etag: '' }, as(viewer)),
    );
    expect(viewerResolve.code).toBe(status.PERMISSION_DENIED);

    for (const call of [
      () =>
        docs().listComments(
          { documentId: document.id, pageSize: 0, pageToken: '', threadId: '' },
          as(outsider),
        ),
      () => docs().getComment({ id: thread.id }, as(outsider)),
      () => comment(outsider, document.id, { text: 'hello' }),
      () =>
        docs().updateComment(
          {
            comment: contentV1.Comment.fromPartial({ id: thread.id, text: 'x' }),
            updateMask: ['text'],
          },
          as(outsider),
        ),
      () => docs().deleteComment({ id: thread.id, etag: '' }, as(outsider)),
    ]) {
      expect((await grpcError(call())).code).toBe(status.NOT_FOUND);
    }
    // Nothing the refused calls tried was written.
    expect(await listAll(owner, document.id, 50)).toHaveLength(3);
  });

  it('refuses malformed input with field violations and writes nothing', async () => {
    const { commenter, document, owner } = await cast();
    const cases: [Partial<contentV1.Comment>, string][] = [
      [{ text: '   ' }, 'comment.text'],
      [{ text: 'x'.repeat(10_001) }, 'comment.text'],
      [
        { text: 'a', anchor: { path: 'blocks/1', startOffset: 0, endOffset: 0, quote: '' } },
        'comment.anchor.path',
      ],
      [
        { text: 'a', anchor: { path: '/a', startOffset: 5, endOffset: 2, quote: '' } },
        'comment.anchor.end_offset',
      ],
      [{ text: 'a', threadId: 'not-a-uuid' }, 'comment.thread_id'],
    ];
    for (const [fields, field] of cases) {
      const error = await grpcError(comment(commenter, document.id, fields));
      expect({ code: error.code, fields: error.fields }).toEqual({
        code: status.INVALID_ARGUMENT,
        fields: [field],
      });
    }
    const thread = await comment(commenter, document.id, { text: 'root' });
    const anchoredReply = await grpcError(
      comment(commenter, document.id, {
        threadId: thread.id,
        text: 'r',
        anchor: { path: '/x', startOffset: 0, endOffset: 0, quote: '' },
      }),
    );
    expect(anchoredReply.fields).toEqual(['comment.anchor']);
    const unknownThread = await grpcError(
      comment(commenter, document.id, { threadId: uuidv7(), text: 'r' }),
    );
    expect(unknownThread.code).toBe(status.FAILED_PRECONDITION);
    expect(await listAll(owner, document.id, 50)).toHaveLength(1);
  });
});

describe('threads', () => {
  it('lists threads oldest first, each with its replies, across pages, and one thread alone', async () => {
    const { commenter, editor, viewer, document } = await cast();
    const t1 = await comment(commenter, document.id, { text: 't1' });
    const t2 = await comment(editor, document.id, { text: 't2' });
    await comment(editor, document.id, { threadId: t1.id, text: 't1 r1' });
    const t3 = await comment(commenter, document.id, { text: 't3' });
    await comment(commenter, document.id, { threadId: t2.id, text: 't2 r1' });
    await comment(commenter, document.id, { threadId: t1.id, text: 't1 r2' });
    for (const pageSize of [1, 2, 4, 50]) {
      expect((await listAll(viewer, document.id, pageSize)).map((c) => c.text)).toEqual([
        't1',
        't1 r1',
        't1 r2',
        't2',
        't2 r1',
        't3',
      ]);
    }
    expect((await listAll(viewer, document.id, 1, t2.id)).map((c) => c.text)).toEqual([
      't2',
      't2 r1',
    ]);
    expect((await listAll(viewer, document.id, 1, t3.id)).map((c) => c.text)).toEqual(['t3']);
    const first = await docs().listComments(
      { documentId: document.id, pageSize: 2, pageToken: '', threadId: '' },
      as(viewer),
    );
    const foreignToken = await grpcError(
      docs().listComments(
        { documentId: document.id, pageSize: 2, pageToken: first.nextPageToken, threadId: t1.id },
        as(viewer),
      ),
    );
    expect(foreignToken.code).toBe(status.INVALID_ARGUMENT);
  });

  it('resolves and reopens a thread once each, never a reply, with an event per change', async () => {
    const { commenter, editor, document } = await cast();
    const thread = await comment(commenter, document.id, { text: 'fix the title' });
    const reply = await comment(editor, document.id, { threadId: thread.id, text: 'done' });
    const onReply = await grpcError(docs().resolveComment({ id: reply.id, etag: '' }, as(editor)));
    expect(onReply.code).toBe(status.FAILED_PRECONDITION);
    const stale = await grpcError(
      docs().resolveComment({ id: thread.id, etag: '"9"' }, as(editor)),
    );
    expect(stale.code).toBe(status.ABORTED);

    const resolved = await docs().resolveComment({ id: thread.id, etag: thread.etag }, as(editor));
    expect(resolved).toMatchObject({ resolvedBy: editor.user.id, etag: '"2"' });
    expect(resolved.resolveTime).toBeInstanceOf(Date);
    const again = await docs().resolveComment({ id: thread.id, etag: '' }, as(commenter));
    expect(again.etag).toBe('"2"');
    const reopened = await docs().reopenComment({ id: thread.id, etag: '' }, as(commenter));
    expect(reopened).toMatchObject({ resolvedBy: '', resolveTime: undefined, etag: '"3"' });

    await events.waitForSubject(thread.id, 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsOf(thread.id)).toEqual([
      `${TOPIC}.created`,
      `${TOPIC}.resolved`,
      `${TOPIC}.reopened`,
    ]);
  });

  it('lets authors edit their comments, authors and the owner delete, a thread going with its replies', async () => {
    const { owner, commenter, editor, document } = await cast();
    const thread = await comment(commenter, document.id, { text: 'first' });
    const reply = await comment(editor, document.id, { threadId: thread.id, text: 'second' });
    const edit = (user: TestUser, id: string, etag: string, text: string) =>
      docs().updateComment(
        { comment: contentV1.Comment.fromPartial({ id, etag, text }), updateMask: ['text'] },
        as(user),
      );
    expect((await grpcError(edit(editor, thread.id, '', 'hijack'))).code).toBe(
      status.PERMISSION_DENIED,
    );
    expect((await grpcError(edit(owner, thread.id, '', 'hijack'))).code).toBe(
      status.PERMISSION_DENIED,
    );
    const edited = await edit(commenter, thread.id, thread.etag, 'first, edited');
    expect(edited).toMatchObject({ text: 'first, edited', etag: '"2"' });
    expect((await grpcError(edit(commenter, thread.id, thread.etag, 'late'))).code).toBe(
      status.ABORTED,
    );
    expect(
      (await grpcError(docs().deleteComment({ id: reply.id, etag: '' }, as(commenter)))).code,
    ).toBe(status.PERMISSION_DENIED);

    const other = await comment(editor, document.id, { text: 'mine' });
    await docs().deleteComment({ id: other.id, etag: other.etag }, as(editor));
    await docs().deleteComment({ id: thread.id, etag: '' }, as(owner));
    expect(await listAll(owner, document.id, 50)).toEqual([]);
    expect((await grpcError(docs().getComment({ id: reply.id }, as(owner)))).code).toBe(
      status.NOT_FOUND,
    );

    await events.waitFor(
      () =>
        eventsOf(reply.id).length >= 2 &&
        eventsOf(thread.id).length >= 3 &&
        eventsOf(other.id).length >= 2,
    );
    expect(eventsOf(thread.id)).toEqual([
      `${TOPIC}.created`,
      `${TOPIC}.updated`,
      `${TOPIC}.deleted`,
    ]);
    expect(eventsOf(reply.id)).toEqual([`${TOPIC}.created`, `${TOPIC}.deleted`]);
    expect(eventsOf(other.id)).toEqual([`${TOPIC}.created`, `${TOPIC}.deleted`]);
  });
});

describe('mentions', () => {
  it('emits one mentioned event per user who can read, without the text, and refuses anyone else', async () => {
    const { owner, viewer, commenter, editor, outsider, document } = await cast();
    const text = `<@${viewer.user.id}> and <@${editor.user.id}>, please look (also me <@${commenter.user.id}>)`;
    const created = await comment(commenter, document.id, { text });

    const cannotRead = await grpcError(
      comment(commenter, document.id, { text: `cc <@${outsider.user.id}>` }),
    );
    expect(cannotRead).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'MENTIONED_USER_CANNOT_READ',
      fields: ['comment.text'],
    });

    const edited = await docs().updateComment(
      {
        comment: contentV1.Comment.fromPartial({
          id: created.id,
          text: `${text} and <@${owner.user.id}>`,
        }),
        updateMask: ['text'],
      },
      as(commenter),
    );
    expect(edited.text).toContain(owner.user.id);

    const mentioned = () =>
      events
        .about(created.id)
        .filter((event) => event.type === `${TOPIC}.mentioned`)
        .map((event) => event.data.after as Record<string, unknown>);
    await events.waitFor(() => mentioned().length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const mentions = mentioned();
    // The author is not notified of their own mention; the edit notifies only the newly mentioned.
    expect(mentions.map((mention) => mention.userId)).toEqual([
      viewer.user.id,
      editor.user.id,
      owner.user.id,
    ]);
    for (const mention of mentions) {
      expect(mention).toMatchObject({
        resourceType: 'document-comment',
        resourceId: created.id,
        parentId: document.id,
        actorId: commenter.user.id,
      });
      expect(JSON.stringify(mention)).not.toContain('please look');
    }
    // Refused calls wrote nothing: one comment only.
    expect(await listAll(owner, document.id, 50)).toHaveLength(1);
  });
});
