import { randomBytes } from 'node:crypto';
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
import { startContent, type ContentHarness } from '../testing/content-harness';

let users: UsersProcess;
let content: ContentHarness;
let events: EventCollector;

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({
    USERS_GRPC_ADDRESS: users.address,
    // A minute's first wait: the throttle test's guesses all fall inside it, however slow the host.
    CONTENT_LINK_PASSWORD_DELAY_SECONDS: '60',
  });
  events = await EventCollector.start([
    'nexus.content.file',
    'nexus.content.folder',
    'nexus.content.link-share',
  ]);
  // Two services and a collector on three topics: slow on a busy machine.
}, 180_000);

afterAll(async () => {
  await events?.stop();
  await content?.stop();
  await users?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const files = () => content.client.files;
const { SHARE_ROLE_VIEWER: VIEWER, SHARE_ROLE_EDITOR: EDITOR } = contentV1.ShareRole;
const noPrincipal = { token: '' };

function upload(owner: TestUser, bytes: Buffer, folderId = ''): Promise<contentV1.File> {
  return content.transfer.upload(owner.token, { name: `f-${uuidv7().slice(-6)}.bin`, folderId }, [
    bytes,
  ]);
}

const rename = (user: TestUser, file: contentV1.File, name: string) =>
  files().updateFile(
    { file: contentV1.File.fromPartial({ id: file.id, name }), updateMask: ['name'] },
    as(user),
  );

describe('sharing a file with a user', () => {
  it('lets B read and download once shared; C finds nothing; revoking ends B’s access', async () => {
    const [a, b, c] = [await users.signUp(), await users.signUp(), await users.signUp()];
    const bytes = randomBytes(1000);
    const file = await content.transfer.upload(a.token, { name: 'zanzibar-plan.bin' }, [bytes]);
    const share = await files().shareFile(
      { fileId: file.id, userId: b.user.id, role: VIEWER },
      as(a),
    );
    expect(share).toMatchObject({ fileId: file.id, userId: b.user.id, grantedBy: a.user.id });
    expect((await files().getFile({ id: file.id }, as(b))).shares).toHaveLength(1);
    expect((await content.transfer.downloadAll(b.token, file.id)).bytes.equals(bytes)).toBe(true);
    const listed = await files().listFiles(contentV1.ListFilesRequest.fromPartial({}), as(b));
    expect(listed.files.map((f) => f.id)).toContain(file.id);
    expect((await files().batchGetFiles({ ids: [file.id] }, as(b))).files).toHaveLength(1);
    const search = (who: TestUser) =>
      files().searchFiles(contentV1.SearchFilesRequest.fromPartial({ query: 'zanzibar' }), as(who));
    expect((await search(b)).results.map((r) => r.file?.id)).toContain(file.id);
    expect((await search(c)).results.map((r) => r.file?.id)).not.toContain(file.id);
    expect((await grpcError(files().getFile({ id: file.id }, as(c)))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(content.transfer.downloadAll(c.token, file.id))).code).toBe(
      status.NOT_FOUND,
    );
    const [, shared] = await events.waitForSubject(file.id, 2);
    expect(shared).toMatchObject({ type: 'nexus.content.file.updated' });
    expect(shared?.data.changed).toEqual(['shares']);

    await files().revokeFileShare({ fileId: file.id, userId: b.user.id }, as(a));
    expect((await grpcError(files().getFile({ id: file.id }, as(b)))).code).toBe(status.NOT_FOUND);
    const after = await files().listFiles(contentV1.ListFilesRequest.fromPartial({}), as(b));
    expect(after.files.map((f) => f.id)).not.toContain(file.id);
  });

  it('lets an editor rename but not a viewer, and only the owner share', async () => {
    const [a, editor, viewer] = [await users.signUp(), await users.signUp(), await users.signUp()];
    const file = await upload(a, randomBytes(10));
    await files().shareFile({ fileId: file.id, userId: editor.user.id, role: EDITOR }, as(a));
    await files().shareFile({ fileId: file.id, userId: viewer.user.id, role: VIEWER }, as(a));
    expect((await rename(editor, file, 'edited.txt')).name).toBe('edited.txt');
    expect((await grpcError(rename(viewer, file, 'nope.txt'))).code).toBe(status.PERMISSION_DENIED);
    const reshare = await grpcError(
      files().shareFile({ fileId: file.id, userId: uuidv7(), role: VIEWER }, as(editor)),
    );
    expect(reshare).toMatchObject({ code: status.PERMISSION_DENIED, reason: 'NOT_OWNER' });
    await files().updateFileShare({ fileId: file.id, userId: viewer.user.id, role: EDITOR }, as(a));
    expect((await rename(viewer, file, 'now.txt')).name).toBe('now.txt');
    const listed = await files().listFileShares({ fileId: file.id }, as(viewer));
    expect(listed.shares.map((s) => s.userId)).toEqual([editor.user.id, viewer.user.id].sort());
  });

  it('refuses a commenter role, an unknown user and the owner', async () => {
    const a = await users.signUp();
    const file = await upload(a, randomBytes(10));
    const commenter = await grpcError(
      files().shareFile(
        { fileId: file.id, userId: uuidv7(), role: contentV1.ShareRole.SHARE_ROLE_COMMENTER },
        as(a),
      ),
    );
    expect(commenter).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['role'] });
    const unknown = await grpcError(
      files().shareFile({ fileId: file.id, userId: uuidv7(), role: VIEWER }, as(a)),
    );
    expect(unknown).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'UNKNOWN_USER' });
    const owner = await grpcError(
      files().shareFile({ fileId: file.id, userId: a.user.id, role: VIEWER }, as(a)),
    );
    expect(owner).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'SHARE_WITH_OWNER' });
  });
});

describe('link shares', () => {
  it('gives the file to anyone holding the token, without a principal; tokens never in events', async () => {
    const a = await users.signUp();
    const bytes = randomBytes(5000);
    const file = await upload(a, bytes);
    const { linkShare, token } = await files().createLinkShare(
      contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id }),
      as(a),
    );
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const shared = await files().getSharedFile({ token, password: '' }, noPrincipal);
    expect(shared).toMatchObject({ name: file.name, sizeBytes: '5000', downloadsRemaining: '-1' });
    const downloaded = await content.transfer.downloadShared(token);
    expect(downloaded.bytes.equals(bytes)).toBe(true);
    const listed = await files().listLinkShares({ fileId: file.id }, as(a));
    expect(listed.linkShares).toEqual([
      expect.objectContaining({ id: linkShare!.id, downloadCount: '1' }),
    ]);
    const linkEvents = await events.waitForSubject(linkShare!.id, 2);
    expect(linkEvents.map((e) => e.type)).toEqual([
      'nexus.content.link-share.created',
      'nexus.content.link-share.downloaded',
    ]);
    expect(JSON.stringify(linkEvents)).not.toContain(token);
    expect(JSON.stringify(linkEvents)).not.toMatch(/hash/i);

    const unknown = await grpcError(
      files().getSharedFile({ token: 'x'.repeat(43), password: '' }, noPrincipal),
    );
    expect(unknown.code).toBe(status.NOT_FOUND);
    await files().revokeLinkShare({ id: linkShare!.id }, as(a));
    expect((await grpcError(content.transfer.downloadShared(token))).code).toBe(status.NOT_FOUND);
  });

  it('stops at its download limit exactly, however many download at once', async () => {
    const a = await users.signUp();
    const file = await upload(a, randomBytes(2000));
    const { token } = await files().createLinkShare(
      contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id, downloadLimit: '3' }),
      as(a),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => content.transfer.downloadShared(token)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(9);
    const refusal = await grpcError(content.transfer.downloadShared(token));
    expect(refusal).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'DOWNLOAD_LIMIT_REACHED',
    });
    const [link] = (await files().listLinkShares({ fileId: file.id }, as(a))).linkShares;
    expect(link).toMatchObject({ downloadLimit: '3', downloadCount: '3' });
  });

  it('checks the password and the expiry', async () => {
    const a = await users.signUp();
    const file = await upload(a, randomBytes(100));
    const { token } = await files().createLinkShare(
      contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id, password: 'correct horse' }),
      as(a),
    );
    expect(await grpcError(content.transfer.downloadShared(token))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'LINK_PASSWORD_REQUIRED',
    });
    expect(await grpcError(content.transfer.downloadShared(token, 'wrong horse'))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'LINK_PASSWORD_MISMATCH',
    });
    expect((await content.transfer.downloadShared(token, 'correct horse')).bytes).toHaveLength(100);

    const brief = await files().createLinkShare(
      contentV1.CreateLinkShareRequest.fromPartial({
        fileId: file.id,
        expireTime: new Date(Date.now() + 1000),
      }),
      as(a),
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await grpcError(content.transfer.downloadShared(brief.token))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'LINK_EXPIRED',
    });
  });

  it('throttles wrong passwords per link: parallel guesses are counted before they are checked', async () => {
    const a = await users.signUp();
    const file = await upload(a, randomBytes(10));
    const link = (password: string) =>
      files().createLinkShare(
        contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id, password }),
        as(a),
      );
    const [guessed, other] = [await link('correct horse'), await link('battery staple')];
    const open = (token: string, password: string) =>
      files().getSharedFile({ token, password }, noPrincipal);

    // Twelve guesses at once: the first five are checked (and wrong), the rest wait.
    const reasons = await Promise.all(
      Array.from({ length: 12 }, (_, i) => grpcError(open(guessed.token, `guess number ${i}`))),
    );
    expect(reasons.filter((r) => r.reason === 'LINK_PASSWORD_MISMATCH')).toHaveLength(5);
    const waits = reasons.filter((r) => r.reason === 'LINK_PASSWORD_THROTTLED');
    expect(waits).toHaveLength(7);
    expect(waits[0].code).toBe(status.RESOURCE_EXHAUSTED);
    // The right password waits too, so a guess cannot tell right from wrong while closed.
    expect(await grpcError(open(guessed.token, 'correct horse'))).toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      reason: 'LINK_PASSWORD_THROTTLED',
    });
    // Another link of the same file is not held up.
    expect((await open(other.token, 'battery staple')).name).toBe(file.name);

    // Once the wait has passed (the count aged by SQL, as if a minute had gone by), the right
    // password opens the link and clears its count.
    await content.service.runtime.dataSource.query(
      `UPDATE "content"."link_password_throttles"
          SET last_failure_at = last_failure_at - interval '61 seconds' WHERE key = $1`,
      [guessed.linkShare!.id],
    );
    expect((await open(guessed.token, 'correct horse')).name).toBe(file.name);
    const [{ count }]: { count: number }[] = await content.service.runtime.dataSource.query(
      `SELECT count(*)::int AS count FROM "content"."link_password_throttles" WHERE key = $1`,
      [guessed.linkShare!.id],
    );
    expect(count).toBe(0);
  });

  it('lets an editor make links, not a viewer; refuses a past expiry', async () => {
    const [a, viewer] = [await users.signUp(), await users.signUp()];
    const file = await upload(a, randomBytes(10));
    await files().shareFile({ fileId: file.id, userId: viewer.user.id, role: VIEWER }, as(a));
    const denied = await grpcError(
      files().createLinkShare(
        contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id }),
        as(viewer),
      ),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const past = await grpcError(
      files().createLinkShare(
        contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id, expireTime: new Date(0) }),
        as(a),
      ),
    );
    expect(past).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['expire_time'] });
  });
});

describe('folders', () => {
  it('gives a folder’s share to everything inside it, at any depth', async () => {
    const [a, b, c] = [await users.signUp(), await users.signUp(), await users.signUp()];
    const top = await files().createFolder(
      { folder: contentV1.Folder.fromPartial({ name: 'Projects' }), requestId: '' },
      as(a),
    );
    const mid = await files().createFolder(
      { folder: contentV1.Folder.fromPartial({ name: 'Apollo', parentId: top.id }), requestId: '' },
      as(a),
    );
    const deep = await files().createFolder(
      { folder: contentV1.Folder.fromPartial({ name: 'Specs', parentId: mid.id }), requestId: '' },
      as(a),
    );
    const nested = await upload(a, randomBytes(10), deep.id);
    expect(nested.folderId).toBe(deep.id);
    await files().shareFolder({ folderId: top.id, userId: b.user.id, role: EDITOR }, as(a));

    expect((await files().getFile({ id: nested.id }, as(b))).id).toBe(nested.id);
    expect((await rename(b, nested, 'by-b.txt')).name).toBe('by-b.txt');
    expect((await files().getFolder({ id: deep.id }, as(b))).name).toBe('Specs');
    const inDeep = await files().listFiles(
      contentV1.ListFilesRequest.fromPartial({ folderId: deep.id }),
      as(b),
    );
    expect(inDeep.files.map((f) => f.id)).toEqual([nested.id]);
    const children = await files().listFolders(
      { parentId: mid.id, pageSize: 10, pageToken: '' },
      as(b),
    );
    expect(children.folders.map((f) => f.id)).toEqual([deep.id]);
    expect((await grpcError(files().getFile({ id: nested.id }, as(c)))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await grpcError(files().getFolder({ id: deep.id }, as(c)))).code).toBe(
      status.NOT_FOUND,
    );

    await files().revokeFolderShare({ folderId: top.id, userId: b.user.id }, as(a));
    expect((await grpcError(files().getFile({ id: nested.id }, as(b)))).code).toBe(
      status.NOT_FOUND,
    );
    const [, shared] = await events.waitForSubject(top.id, 3);
    expect(shared?.data.changed).toEqual(['shares']);
  });

  it('moves folders and files, and refuses a move under the folder’s own descendant', async () => {
    const a = await users.signUp();
    const make = (name: string, parentId = '') =>
      files().createFolder(
        { folder: contentV1.Folder.fromPartial({ name, parentId }), requestId: '' },
        as(a),
      );
    const root = await make('root');
    const child = await make('child', root.id);
    const grandchild = await make('grandchild', child.id);
    const cycle = await grpcError(
      files().moveFolder({ id: root.id, parentId: grandchild.id, etag: '' }, as(a)),
    );
    expect(cycle).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'FOLDER_CYCLE' });
    const self = await grpcError(
      files().moveFolder({ id: root.id, parentId: root.id, etag: '' }, as(a)),
    );
    expect(self).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'FOLDER_CYCLE' });
    const moved = await files().moveFolder(
      { id: grandchild.id, parentId: '', etag: grandchild.etag },
      as(a),
    );
    expect(moved.parentId).toBe('');
    const file = await upload(a, randomBytes(10));
    const into = await files().updateFile(
      {
        file: contentV1.File.fromPartial({ id: file.id, folderId: child.id }),
        updateMask: ['folder_id'],
      },
      as(a),
    );
    expect(into.folderId).toBe(child.id);
    const renamed = await files().updateFolder(
      {
        folder: contentV1.Folder.fromPartial({ id: child.id, name: 'renamed' }),
        updateMask: ['name'],
      },
      as(a),
    );
    expect(renamed.name).toBe('renamed');
    const roots = await files().listFolders({ parentId: '', pageSize: 10, pageToken: '' }, as(a));
    expect(roots.folders.map((f) => f.name)).toEqual(['grandchild', 'root']);
  });

  it('refuses to put a file into a folder the caller may not edit', async () => {
    const [a, b] = [await users.signUp(), await users.signUp()];
    const theirs = await files().createFolder(
      { folder: contentV1.Folder.fromPartial({ name: 'private' }), requestId: '' },
      as(a),
    );
    const file = await upload(b, randomBytes(10));
    const error = await grpcError(
      files().updateFile(
        {
          file: contentV1.File.fromPartial({ id: file.id, folderId: theirs.id }),
          updateMask: ['folder_id'],
        },
        as(b),
      ),
    );
    expect(error.code).toBe(status.NOT_FOUND);
  });
});

describe('deleting a folder', () => {
  it('deletes an empty folder for its owner, with its shares and one event; refuses one that holds anything', async () => {
    const [a, editor, c] = [await users.signUp(), await users.signUp(), await users.signUp()];
    const make = (name: string, parentId = '') =>
      files().createFolder(
        { folder: contentV1.Folder.fromPartial({ name, parentId }), requestId: '' },
        as(a),
      );
    const outer = await make('outer');
    const inner = await make('inner', outer.id);
    await files().shareFolder({ folderId: inner.id, userId: editor.user.id, role: EDITOR }, as(a));
    const file = await upload(a, randomBytes(10), inner.id);
    const del = (user: TestUser, id: string, etag = '') =>
      files().deleteFolder({ id, etag }, as(user));

    // Holding a folder, or a file (in the trash too): refused, and nothing changes.
    expect(await grpcError(del(a, outer.id))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'FOLDER_NOT_EMPTY',
    });
    await files().deleteFile({ id: file.id, etag: '' }, as(a));
    expect(await grpcError(del(a, inner.id))).toMatchObject({ reason: 'FOLDER_NOT_EMPTY' });
    // An editor of the folder may not delete it; a stranger is told it does not exist; a stale etag is refused.
    expect((await grpcError(del(editor, inner.id))).code).toBe(status.PERMISSION_DENIED);
    expect((await grpcError(del(c, inner.id))).code).toBe(status.NOT_FOUND);
    await files().purgeFile({ id: file.id, etag: '' }, as(a));
    expect((await grpcError(del(a, inner.id, outer.etag))).code).toBe(status.ABORTED);

    await del(a, inner.id, (await files().getFolder({ id: inner.id }, as(a))).etag);
    expect((await grpcError(files().getFolder({ id: inner.id }, as(a)))).code).toBe(
      status.NOT_FOUND,
    );
    const [{ shares }]: { shares: number }[] = await content.service.runtime.dataSource.query(
      `SELECT count(*)::int AS shares FROM "content"."folder_shares" WHERE folder_id = $1`,
      [inner.id],
    );
    expect(shares).toBe(0);
    const [, , deleted] = await events.waitForSubject(inner.id, 3);
    expect(deleted?.type).toBe('nexus.content.folder.deleted');
    expect(deleted?.data.after).toBeNull();
    await del(a, outer.id);
    expect(
      (await files().listFolders({ parentId: '', pageSize: 10, pageToken: '' }, as(a))).folders,
    ).toEqual([]);
  });
});

describe('trash', () => {
  it('moves a file to the trash, restores it, and purges it', async () => {
    const a = await users.signUp();
    const file = await upload(a, randomBytes(10));
    await files().deleteFile({ id: file.id, etag: file.etag }, as(a));
    const trashed = await files().getFile({ id: file.id }, as(a));
    expect(trashed.deleteTime).toBeInstanceOf(Date);
    expect(trashed.purgeTime).toBeInstanceOf(Date);
    const listed = await files().listFiles(contentV1.ListFilesRequest.fromPartial({}), as(a));
    expect(listed.files.map((f) => f.id)).not.toContain(file.id);
    const withTrash = await files().listFiles(
      contentV1.ListFilesRequest.fromPartial({ showDeleted: true }),
      as(a),
    );
    expect(withTrash.files.map((f) => f.id)).toContain(file.id);
    expect(await grpcError(content.transfer.downloadAll(a.token, file.id))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'FILE_IN_TRASH',
    });
    const restored = await files().undeleteFile({ id: file.id }, as(a));
    expect(restored.deleteTime).toBeUndefined();
    expect((await grpcError(files().purgeFile({ id: file.id, etag: '' }, as(a)))).code).toBe(
      status.FAILED_PRECONDITION,
    );
    await files().deleteFile({ id: file.id, etag: '' }, as(a));
    await files().purgeFile({ id: file.id, etag: '' }, as(a));
    expect((await grpcError(files().getFile({ id: file.id }, as(a)))).code).toBe(status.NOT_FOUND);
    const verbs = (await events.waitForSubject(file.id, 5)).map((e) => e.type.split('.').pop());
    expect(verbs).toEqual(['created', 'deleted', 'restored', 'deleted', 'deleted']);
  });

  it('purges trashed files whose retention ran out, with their links', async () => {
    const a = await users.signUp();
    const file = await upload(a, randomBytes(10));
    const { linkShare } = await files().createLinkShare(
      contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id }),
      as(a),
    );
    await files().deleteFile({ id: file.id, etag: '' }, as(a));
    const { trash } = content.parts.fileParts;
    expect(await trash.purgeExpired(new Date())).toBe(0);
    const purged = await trash.purgeExpired(new Date(Date.now() + 31 * 86_400_000));
    expect(purged).toBeGreaterThanOrEqual(1);
    expect((await grpcError(files().getFile({ id: file.id }, as(a)))).code).toBe(status.NOT_FOUND);
    const linkEvents = await events.waitForSubject(linkShare!.id, 2);
    expect(linkEvents.at(-1)?.type).toBe('nexus.content.link-share.deleted');
  });
});
