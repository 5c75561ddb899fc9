import type { Readable } from 'node:stream';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { KitError, isAdmin, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  likePrefix,
  type CrudRepository,
  type Page,
  type SearchPage,
  type SortOrder,
  type Tx,
} from '@nexus/db';
import { ContentError } from '../content.errors';
import type { BlobReleaser } from './blob-releaser';
import { BlobTooLargeError, type BlobStorage } from './blob-storage';
import { checkChangeFile, checkReadFile, checkUpload } from './file-access';
import { readableFiles } from './file-search';
import { FileTextCapture, hasSearchableText } from './file-text';
import { fileAggregate } from './file.aggregate';
import { FileEntity } from './file.entity';
import type { FileChanges, FileSearch, UploadMetadata } from './file.validation';

/** Download chunks: fixed, so memory per download stays flat whatever the file size. */
export const CHUNK_BYTES = 64 * 1024;

export interface FileFilters {
  ownerId?: string;
  mimeTypePrefix: string;
  namePrefix: string;
  minSizeBytes?: number;
  maxSizeBytes?: number;
  createdAfter?: Date;
  createdBefore?: Date;
}

export type FileOrder = 'create_time_desc' | 'create_time_asc' | 'name_asc' | 'size_desc';

const ORDERS: Record<FileOrder, SortOrder<FileEntity>> = {
  create_time_desc: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
  create_time_asc: { key: 'create_time_asc', property: 'createdAt', direction: 'ASC' },
  name_asc: { key: 'name_asc', property: 'name', direction: 'ASC' },
  size_desc: { key: 'size_desc', property: 'sizeBytes', direction: 'DESC' },
};

/** Files' rules: metadata in Postgres, bytes in the blob store, one event per committed change. */
export class FileService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: CrudRepository<FileEntity>,
    private readonly blobs: BlobStorage,
    private readonly releaser: BlobReleaser,
    private readonly maxFileBytes: number,
  ) {}

  /**
   * Stores the streamed bytes, then records the file. A size over the
   * maximum, or a declared size or hash the bytes do not match, leaves
   * neither a blob nor a row behind.
   */
  async upload(
    caller: Principal,
    metadata: UploadMetadata,
    chunks: AsyncIterable<Uint8Array>,
    /** The call's idempotency key, given the SHA-256 of the bytes received. */
    keyOf: (sha256: string) => IdempotencyKey | undefined,
  ): Promise<FileEntity> {
    checkUpload(caller);
    const text = hasSearchableText(metadata.mimeType) ? new FileTextCapture() : undefined;
    const staged = await this.blobs
      .stage(text ? text.tap(chunks) : chunks, { maxBytes: this.maxFileBytes })
      .catch((error) => {
        if (!(error instanceof BlobTooLargeError)) throw error;
        throw new ContentError('FILE_TOO_LARGE', `files are at most ${this.maxFileBytes} bytes`, [
          {
            field: 'chunk',
            description: `exceed ${this.maxFileBytes} bytes in total`,
            reason: 'TOO_LARGE',
          },
        ]);
      });
    try {
      checkDeclared(metadata, staged);
      return await inTransaction(this.dataSource, caller.userId, async (tx) => {
        await this.releaser.lock(tx, staged.sha256);
        const { entity, created } = await this.files.create(
          tx,
          {
            name: metadata.name,
            mimeType: metadata.mimeType,
            isPublic: metadata.isPublic,
            sizeBytes: String(staged.size),
            sha256: staged.sha256,
            ownerId: caller.userId,
            downloadCount: '0',
            searchText: text?.text() ?? '',
          },
          keyOf(staged.sha256),
        );
        // Under the blob's lock until commit: a concurrent release sees this row, or runs before.
        if (created) await staged.commit();
        return entity;
      });
    } finally {
      await staged.discard();
    }
  }

  async get(caller: Principal, id: string): Promise<FileEntity> {
    const file = await this.files.get(id);
    checkReadFile(caller, file);
    return file;
  }

  /** All or nothing: NOT_FOUND for the first unknown id, PERMISSION_DENIED for the first unreadable. */
  async batchGet(caller: Principal, ids: string[]): Promise<FileEntity[]> {
    const files = await this.files.getMany(ids);
    for (const file of files) checkReadFile(caller, file);
    return files;
  }

  async list(
    caller: Principal,
    query: {
      filters: FileFilters;
      order: FileOrder;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ): Promise<Page<FileEntity>> {
    const { filters } = query;
    return this.files.list({
      filter: (qb) => applyFilters(qb, caller, filters),
      filterValues: { ...filters, caller: caller.userId },
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
    });
  }

  /** Full-text search over names and texts of the files the caller could get (canReadFile, in SQL). */
  async search(caller: Principal, search: FileSearch): Promise<SearchPage<FileEntity>> {
    const { query, pageSize, pageToken, includeTotalSize, ...filters } = search;
    return this.files.search({
      query,
      filter: (qb) => readableFiles(qb, caller, filters),
      filterValues: { ...filters, caller: caller.userId },
      snippetSql: '"e"."search_text"',
      recency: 'createdAt',
      similar: 'name',
      pageSize,
      pageToken,
      includeTotal: includeTotalSize,
    });
  }

  async update(
    caller: Principal,
    id: string,
    etag: string,
    changes: FileChanges,
  ): Promise<FileEntity> {
    await this.get(caller, id).then((file) => checkChangeFile(caller, file));
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.files.update(tx, id, {
        etag: etag || undefined,
        apply: (file) => {
          if (changes.name !== undefined) file.name = changes.name;
          if (changes.isPublic !== undefined) file.isPublic = changes.isPublic;
        },
      }),
    );
  }

  /** Erases the file; its blob goes after commit when no other file has the same bytes. */
  async delete(caller: Principal, id: string, etag: string): Promise<void> {
    // Ownership never changes, so checking before the row lock is as good as under it.
    checkChangeFile(caller, await this.files.get(id));
    const file = await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.erase(tx, id, etag),
    );
    await this.releaser.release(file.sha256);
  }

  /** Deletes every file of a user inside `tx` (the user cascade); blobs go with the periodic release. */
  async eraseAllOf(tx: Tx, ownerId: string): Promise<number> {
    const owned = await tx.manager.find(FileEntity, { where: { ownerId }, select: { id: true } });
    for (const { id } of owned) await this.erase(tx, id);
    return owned.length;
  }

  /** Counts the download (one atomic UPDATE, no etag change) and opens the bytes. */
  async download(caller: Principal, id: string): Promise<{ file: FileEntity; bytes: Readable }> {
    const readable = await this.get(caller, id);
    if (!(await this.blobs.exists(readable.sha256))) {
      throw new ContentError('BLOB_MISSING', `the bytes of file ${id} are not available`);
    }
    const file = await inTransaction(this.dataSource, caller.userId, async (tx) => {
      const [, affected] = await tx.manager.query<[unknown, number]>(
        'UPDATE "content"."files" SET download_count = download_count + 1 WHERE id = $1',
        [id],
      );
      if (affected === 0) throw KitError.notFound('file', id);
      const after = await tx.manager.findOneByOrFail(FileEntity, { id });
      const before = { ...after, downloadCount: String(BigInt(after.downloadCount) - 1n) };
      await tx.emitResources(
        fileAggregate,
        'downloaded',
        id,
        fileAggregate.toResource(before),
        fileAggregate.toResource(after),
      );
      return after;
    });
    return { file, bytes: this.blobs.get(file.sha256, CHUNK_BYTES) };
  }

  private async erase(tx: Tx, id: string, etag?: string): Promise<FileEntity> {
    const file = await this.files.delete(tx, id, { soft: false, etag: etag || undefined });
    await this.releaser.record(tx, file.sha256);
    return file;
  }
}

function checkDeclared(metadata: UploadMetadata, staged: { size: number; sha256: string }): void {
  const violations = [];
  if (metadata.sizeBytes !== undefined && metadata.sizeBytes !== staged.size) {
    violations.push({
      field: 'metadata.size_bytes',
      description: `declares ${metadata.sizeBytes} bytes but ${staged.size} arrived`,
      reason: 'MISMATCH',
    });
  }
  if (metadata.sha256 !== undefined && metadata.sha256 !== staged.sha256) {
    violations.push({
      field: 'metadata.sha256',
      description: 'does not match the SHA-256 of the bytes that arrived',
      reason: 'MISMATCH',
    });
  }
  if (violations.length > 0) {
    throw new ContentError('UPLOAD_MISMATCH', 'the upload does not match its metadata', violations);
  }
}

function applyFilters(
  qb: SelectQueryBuilder<FileEntity>,
  caller: Principal,
  filters: FileFilters,
): void {
  if (!isAdmin(caller)) {
    qb.andWhere('(e.owner_id = :caller OR e.is_public)', { caller: caller.userId });
  }
  if (filters.ownerId) qb.andWhere('e.owner_id = :ownerId', { ownerId: filters.ownerId });
  if (filters.mimeTypePrefix) {
    qb.andWhere("e.mime_type LIKE :mimePrefix ESCAPE '\\'", {
      mimePrefix: likePrefix(filters.mimeTypePrefix),
    });
  }
  if (filters.namePrefix) {
    qb.andWhere("lower(e.name) LIKE :namePrefix ESCAPE '\\'", {
      namePrefix: likePrefix(filters.namePrefix),
    });
  }
  if (filters.minSizeBytes !== undefined)
    qb.andWhere('e.size_bytes >= :minSize', { minSize: filters.minSizeBytes });
  if (filters.maxSizeBytes !== undefined)
    qb.andWhere('e.size_bytes <= :maxSize', { maxSize: filters.maxSizeBytes });
  if (filters.createdAfter)
    qb.andWhere('e.created_at >= :createdAfter', { createdAfter: filters.createdAfter });
  if (filters.createdBefore)
    qb.andWhere('e.created_at < :createdBefore', { createdBefore: filters.createdBefore });
}
