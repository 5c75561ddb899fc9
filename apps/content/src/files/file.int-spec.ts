import { createHash, randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import { EventCollector, as, grpcError, signTestToken } from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';
import { FileEntity } from './file.entity';

const MAX_BYTES = 256 * 1024;

let content: ContentHarness;
let events: EventCollector;

beforeAll(async () => {
  content = await startContent({ CONTENT_MAX_FILE_BYTES: String(MAX_BYTES) });
  events = await EventCollector.start(['nexus.content.file']);
});

afterAll(async () => {
  await events.stop();
  await content.stop();
});

const person = (role: 'user' | 'admin' | 'guest' = 'user') => {
  const userId = uuidv7();
  return { userId, token: signTestToken({ role, userId }) };
};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const files = () => content.client.files;

/** Splits bytes into chunks of `size` (the last may be shorter). */
function chunked(bytes: Buffer, size = 10_000): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

function upload(
  token: string,
  bytes: Buffer,
  metadata: Partial<contentV1.UploadFileMetadata> = {},
): Promise<contentV1.File> {
  return content.transfer.upload(
    token,
    { name: `report-${uuidv7().slice(-6)}.bin`, ...metadata },
    chunked(bytes),
  );
}

async function rowCount(): Promise<number> {
  return content.service.runtime.dataSource.manager.count(FileEntity);
}

describe('UploadFile and DownloadFile', () => {
  it('stores the streamed bytes with their size and hash and gives them back', async () => {
    const owner = person();
    const bytes = randomBytes(100_000);
    const file = await upload(owner.token, bytes, {
      mimeType: 'Application/PDF',
      sizeBytes: String(bytes.length),
      sha256: sha256(bytes).toUpperCase(),
    });
    expect(file).toMatchObject({
      sizeBytes: '100000',
      sha256: sha256(bytes),
      mimeType: 'application/pdf',
      ownerId: owner.userId,
      isPublic: false,
      downloadCount: '0',
    });
    const { file: header, bytes: downloaded } = await content.transfer.downloadAll(
      owner.token,
      file.id,
    );
    expect(header?.id).toBe(file.id);
    expect(downloaded.equals(bytes)).toBe(true);
    expect(await content.blobHashes()).toContain(sha256(bytes));
    const [created] = await events.waitForSubject(file.id, 2);
    expect(created?.type).toBe('nexus.content.file.created');
  });

  it('streams downloads in chunks of at most 64 KiB', async () => {
    const owner = person();
    const bytes = randomBytes(200_000);
    const file = await upload(owner.token, bytes);
    const sizes: number[] = [];
    await content.transfer.download(owner.token, file.id, (chunk) => sizes.push(chunk.length));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(bytes.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
    expect(sizes.length).toBeGreaterThanOrEqual(4);
  });

  it('counts every download atomically, without changing the etag', async () => {
    const owner = person();
    const file = await upload(owner.token, randomBytes(1000));
    await Promise.all(
      Array.from({ length: 8 }, () => content.transfer.downloadAll(owner.token, file.id)),
    );
    const after = await files().getFile({ id: file.id }, as(owner.token));
    expect(after.downloadCount).toBe('8');
    expect(after.etag).toBe(file.etag);
    const downloads = (await events.waitForSubject(file.id, 9)).filter(
      (e) => e.type === 'nexus.content.file.downloaded',
    );
    expect(downloads).toHaveLength(8);
  });

  it('refuses a tampered upload (declared hash or size mismatch) and leaves nothing behind', async () => {
    const owner = person();
    const bytes = randomBytes(50_000);
    const before = { rows: await rowCount(), blobs: await content.blobHashes() };
    const wrongHash = await grpcError(
      upload(owner.token, bytes, { sha256: sha256(Buffer.from('something else')) }),
    );
    expect(wrongHash).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['metadata.sha256'],
    });
    const wrongSize = await grpcError(
      upload(owner.token, bytes, { sizeBytes: String(bytes.length + 1) }),
    );
    expect(wrongSize).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['metadata.size_bytes'],
    });
    expect(await rowCount()).toBe(before.rows);
    expect(await content.blobHashes()).toEqual(before.blobs);
    expect(await content.stagedFiles()).toEqual([]);
  });

  it('refuses a file over the maximum, declared or streamed, and leaves nothing behind', async () => {
    const owner = person();
    const before = { rows: await rowCount(), blobs: await content.blobHashes() };
    const declared = await grpcError(
      upload(owner.token, randomBytes(10), { sizeBytes: String(MAX_BYTES + 1) }),
    );
    expect(declared).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['metadata.size_bytes'],
    });
    const streamed = await grpcError(upload(owner.token, randomBytes(MAX_BYTES + 1)));
    expect(streamed).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['chunk'] });
    expect(await rowCount()).toBe(before.rows);
    expect(await content.blobHashes()).toEqual(before.blobs);
    expect(await content.stagedFiles()).toEqual([]);
  });

  it('requires metadata first and valid metadata fields', async () => {
    const owner = person();
    const noMetadata = await grpcError(
      content.transfer.upload(owner.token, {}, [Buffer.from('x')], {
        firstMessage: { payload: { $case: 'chunk', value: Buffer.from('x') } },
      }),
    );
    expect(noMetadata).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['metadata'] });
    const bad = await grpcError(
      upload(owner.token, Buffer.from('x'), { name: 'a/b', mimeType: 'pdf', sha256: 'zz' }),
    );
    expect(bad.fields.sort()).toEqual(['metadata.mime_type', 'metadata.name', 'metadata.sha256']);
    expect((await grpcError(upload(person('guest').token, Buffer.from('x')))).code).toBe(
      status.PERMISSION_DENIED,
    );
    expect((await grpcError(upload('', Buffer.from('x')))).code).toBe(status.UNAUTHENTICATED);
  });

  it('returns the first file for a retried upload with the same request id', async () => {
    const owner = person();
    const bytes = randomBytes(2000);
    const requestId = uuidv7();
    const first = await upload(owner.token, bytes, { requestId, name: 'once.bin' });
    const again = await upload(owner.token, bytes, { requestId, name: 'once.bin' });
    expect(again.id).toBe(first.id);
  });

  it('refuses the request id to another caller and for other bytes, storing nothing', async () => {
    const owner = person();
    const bytes = randomBytes(2000);
    const requestId = uuidv7();
    await upload(owner.token, bytes, { requestId, name: 'mine.bin' });
    const before = await rowCount();
    const reused = [
      await grpcError(upload(person().token, bytes, { requestId, name: 'mine.bin' })),
      await grpcError(upload(owner.token, randomBytes(2000), { requestId, name: 'mine.bin' })),
    ];
    for (const error of reused) {
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(['request_id']);
    }
    expect(await rowCount()).toBe(before);
  });
});

describe('dedup and blob release', () => {
  it('keeps one blob for two files with the same bytes and removes it with the last file', async () => {
    const owner = person();
    const bytes = randomBytes(30_000);
    const hash = sha256(bytes);
    const a = await upload(owner.token, bytes);
    const b = await upload(owner.token, bytes, { name: 'copy.bin' });
    expect(a.id).not.toBe(b.id);
    expect(a.sha256).toBe(b.sha256);
    expect((await content.blobHashes()).filter((h) => h === hash)).toHaveLength(1);

    await files().deleteFile({ id: a.id, etag: a.etag }, as(owner.token));
    await files().purgeFile({ id: a.id, etag: '' }, as(owner.token));
    expect(await content.blobs.exists(hash)).toBe(true);
    const stillThere = await content.transfer.downloadAll(owner.token, b.id);
    expect(stillThere.bytes.equals(bytes)).toBe(true);

    await files().deleteFile({ id: b.id, etag: '' }, as(owner.token));
    expect(await content.blobs.exists(hash)).toBe(true); // in the trash, not erased
    await files().purgeFile({ id: b.id, etag: '' }, as(owner.token));
    expect(await content.blobs.exists(hash)).toBe(false);
    expect((await grpcError(files().getFile({ id: b.id }, as(owner.token)))).code).toBe(
      status.NOT_FOUND,
    );
    // created, downloaded, deleted into the trash, deleted for good.
    const [trashed, purged] = (await events.waitForSubject(b.id, 4)).slice(-2);
    expect(trashed).toMatchObject({ type: 'nexus.content.file.deleted' });
    expect(trashed?.data.after).toMatchObject({ id: b.id });
    expect(purged).toMatchObject({ type: 'nexus.content.file.deleted' });
    expect(purged?.data.after).toBeNull();
  });

  it('keeps the blob when an upload of the same bytes races the release of its last file', async () => {
    const owner = person();
    const bytes = randomBytes(20_000);
    const hash = sha256(bytes);
    const first = await upload(owner.token, bytes);
    const [, second] = await Promise.all([
      files()
        .deleteFile({ id: first.id, etag: '' }, as(owner.token))
        .then(() => files().purgeFile({ id: first.id, etag: '' }, as(owner.token))),
      upload(owner.token, bytes),
    ]);
    expect(await content.blobs.exists(hash)).toBe(true);
    const downloaded = await content.transfer.downloadAll(owner.token, second.id);
    expect(downloaded.bytes.equals(bytes)).toBe(true);
  });
});

describe('access', () => {
  it('lets any signed-in user read public files; a private one does not exist for strangers', async () => {
    const owner = person();
    const other = person();
    const admin = person('admin');
    const secret = await upload(owner.token, randomBytes(100));
    const shared = await upload(owner.token, randomBytes(100), { isPublic: true });
    expect((await grpcError(files().getFile({ id: secret.id }, as(other.token)))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await grpcError(content.transfer.downloadAll(other.token, secret.id))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await files().getFile({ id: secret.id }, as(admin.token))).id).toBe(secret.id);
    expect(
      (await content.transfer.downloadAll(person('guest').token, shared.id)).bytes,
    ).toHaveLength(100);
    const rename = await grpcError(
      files().updateFile(
        { file: contentV1.File.fromPartial({ id: shared.id, name: 'mine' }), updateMask: ['name'] },
        as(other.token),
      ),
    );
    expect(rename.code).toBe(status.PERMISSION_DENIED);
    expect(
      (await grpcError(files().deleteFile({ id: shared.id, etag: '' }, as(other.token)))).code,
    ).toBe(status.PERMISSION_DENIED);
  });

  it('checks attachments all or nothing with BatchGetFiles', async () => {
    const owner = person();
    const other = person();
    const mine = await upload(owner.token, randomBytes(10));
    const theirs = await upload(other.token, randomBytes(10));
    const ok = await files().batchGetFiles({ ids: [mine.id] }, as(owner.token));
    expect(ok.files.map((f) => f.id)).toEqual([mine.id]);
    const denied = await grpcError(
      files().batchGetFiles({ ids: [mine.id, theirs.id] }, as(owner.token)),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    expect(denied.details).toContain(theirs.id);
    const missing = await grpcError(
      files().batchGetFiles({ ids: [mine.id, uuidv7()] }, as(owner.token)),
    );
    expect(missing.code).toBe(status.NOT_FOUND);
  });
});

describe('UpdateFile and ListFiles', () => {
  it('renames and changes visibility with a field mask and etag', async () => {
    const owner = person();
    const file = await upload(owner.token, randomBytes(10));
    const renamed = await files().updateFile(
      {
        file: contentV1.File.fromPartial({
          id: file.id,
          etag: file.etag,
          name: 'final.txt',
          isPublic: true,
        }),
        updateMask: ['name', 'is_public'],
      },
      as(owner.token),
    );
    expect(renamed).toMatchObject({ name: 'final.txt', isPublic: true, etag: '"2"' });
    const stale = await grpcError(
      files().updateFile(
        {
          file: contentV1.File.fromPartial({ id: file.id, etag: file.etag, name: 'x' }),
          updateMask: ['name'],
        },
        as(owner.token),
      ),
    );
    expect(stale.code).toBe(status.ABORTED);
    const badMask = await grpcError(
      files().updateFile(
        {
          file: contentV1.File.fromPartial({ id: file.id, sizeBytes: '1' }),
          updateMask: ['size_bytes'],
        },
        as(owner.token),
      ),
    );
    expect(badMask.fields).toEqual(['update_mask']);
  });

  it('lists own and public files with owner, MIME, name, size and time filters', async () => {
    const me = person();
    const other = person();
    const tag = uuidv7().slice(-6);
    const image = await upload(me.token, randomBytes(500), {
      name: `Photo-${tag}.png`,
      mimeType: 'image/png',
    });
    const doc = await upload(me.token, randomBytes(5000), {
      name: `notes-${tag}.txt`,
      mimeType: 'text/plain',
    });
    const publicOther = await upload(other.token, randomBytes(50), {
      name: `photo-public-${tag}.jpg`,
      mimeType: 'image/jpeg',
      isPublic: true,
    });
    await upload(other.token, randomBytes(50), { name: `photo-private-${tag}.jpg` });
    const list = async (request: Partial<contentV1.ListFilesRequest>) =>
      (
        await files().listFiles(contentV1.ListFilesRequest.fromPartial(request), as(me.token))
      ).files.map((f) => f.id);

    const namePrefix = 'photo';
    expect(
      await list({ namePrefix, orderBy: contentV1.FileOrderBy.FILE_ORDER_BY_NAME_ASC }),
    ).toEqual(expect.arrayContaining([image.id, publicOther.id]));
    expect(await list({ namePrefix: `photo-private-${tag}` })).toEqual([]);
    expect(await list({ ownerId: me.userId, mimeTypePrefix: 'image/' })).toEqual([image.id]);
    expect(await list({ ownerId: me.userId, minSizeBytes: '1000' })).toEqual([doc.id]);
    expect(await list({ ownerId: me.userId, maxSizeBytes: '1000' })).toEqual([image.id]);
    expect(
      await list({
        ownerId: me.userId,
        orderBy: contentV1.FileOrderBy.FILE_ORDER_BY_CREATE_TIME_ASC,
        createTimeAfter: image.createTime,
      }),
    ).toEqual([image.id, doc.id]);
    const first = await files().listFiles(
      contentV1.ListFilesRequest.fromPartial({
        ownerId: me.userId,
        pageSize: 1,
        includeTotalSize: true,
        orderBy: contentV1.FileOrderBy.FILE_ORDER_BY_SIZE_DESC,
      }),
      as(me.token),
    );
    expect(first.files.map((f) => f.id)).toEqual([doc.id]);
    expect(first.totalSize).toBe(2);
    const second = await files().listFiles(
      contentV1.ListFilesRequest.fromPartial({
        ownerId: me.userId,
        pageSize: 1,
        pageToken: first.nextPageToken,
        orderBy: contentV1.FileOrderBy.FILE_ORDER_BY_SIZE_DESC,
      }),
      as(me.token),
    );
    expect(second.files.map((f) => f.id)).toEqual([image.id]);
    const badRange = await grpcError(
      files().listFiles(
        contentV1.ListFilesRequest.fromPartial({ minSizeBytes: '10', maxSizeBytes: '5' }),
        as(me.token),
      ),
    );
    expect(badRange.fields).toEqual(['max_size_bytes']);
  });
});
