import type { Readable } from 'node:stream';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { KitError, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  likePrefix,
  type AggregateStore,
  type Page,
  type SearchPage,
  type SortOrder,
} from '@nexus/db';
import { ContentError } from '../content.errors';
import type { BlobReleaser } from './blob-releaser';
import { BlobTooLargeError, type BlobStorage } from './blob-storage';
import {
  checkEditFile,
  checkManageFile,
  checkReadFile,
  checkUpload,
  fileAccessOf,
  readableFileIds,
  readableFilesWhere,
} from './file-access';
import { readableFiles } from './file-search';
import { checkEditFolder, folderAccessOf } from './folder-access';
import type { FolderEntity } from './folder.entity';
import { FileTextCapture, hasSearchableText } from './file-text';
import { fileAggregate } from './file.aggregate';
import type { FileEntity } from './file.entity';
import type { FileChanges, FileSearch, UploadMetadata } from './file.validation';

/** Download chunks: fixed, so memory per download stays flat whatever the file size. */
export const CHUNK_BYTES = 64 * 1024;

export interface FileFilters {
  ownerId?: string;
  folderId?: string;
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

/** The stores FileService reads and writes: files with their shares, and the folders they go in. */
export interface FileStores {
  files: AggregateStore<FileEntity>;
  folders: AggregateStore<FolderEntity>;
}

/**
 * Files' rules: metadata in Postgres, bytes in the blob store, one event per
 * committed change. Who may read is file-access.ts's one rule.
 */
export class FileService {
  private readonly files: AggregateStore<FileEntity>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly stores: FileStores,
    private readonly blobs: BlobStorage,
    private readonly releaser: BlobReleaser,
    private readonly limits: { maxFileBytes: number },
  ) {
    this.files = stores.files;
  }

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
    if (metadata.folderId) await this.checkFolderTarget(caller, metadata.folderId);
    const text = hasSearchableText(metadata.mimeType) ? new FileTextCapture() : undefined;
    const staged = await this.blobs
      .stage(text ? text.tap(chunks) : chunks, { maxBytes: this.limits.maxFileBytes })
      .catch((error) => {
        if (!(error instanceof BlobTooLargeError)) throw error;
        throw new ContentError(
          'FILE_TOO_LARGE',
          `files are at most ${this.limits.maxFileBytes} bytes`,
          [
            {
              field: 'chunk',
              description: `exceed ${this.limits.maxFileBytes} bytes in total`,
              reason: 'TOO_LARGE',
            },
          ],
        );
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
            folderId: metadata.folderId ?? null,
            purgeAt: null,
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

  /** Readers see a trashed file too (AIP-164), with its delete and purge times. */
  async get(caller: Principal, id: string): Promise<FileEntity> {
    const file = await this.files.get(id, { withDeleted: true });
    checkReadFile(await fileAccessOf(this.dataSource.manager, caller, file), id);
    return file;
  }

  /**
   * All or nothing, trashed files excluded: NOT_FOUND for the first unknown
   * id, PERMISSION_DENIED for the first the caller may not read (the answer
   * comms' attachment check relies on).
   */
  async batchGet(caller: Principal, ids: string[]): Promise<FileEntity[]> {
    const files = await this.files.getMany(ids);
    const readable = await readableFileIds(this.dataSource.manager, caller, ids);
    const hidden = files.find((file) => !readable.has(file.id));
    if (hidden) {
      throw new ContentError('NO_ACCESS', `file ${hidden.id} is not readable by the caller`, [], {
        id: hidden.id,
      });
    }
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
      showDeleted: boolean;
    },
  ): Promise<Page<FileEntity>> {
    const { filters } = query;
    return this.files.list({
      filter: (qb) => applyFilters(qb, caller, filters),
      // The caller is part of the query: a page token does not carry over to another user.
      filterValues: { ...filters, caller: caller.userId, showDeleted: query.showDeleted },
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
      showDeleted: query.showDeleted,
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

  /** Editors rename and move (into a folder they may edit); visibility is the owner's. */
  async update(
    caller: Principal,
    id: string,
    etag: string,
    changes: FileChanges,
  ): Promise<FileEntity> {
    if (changes.folderId) await this.checkFolderTarget(caller, changes.folderId);
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.files.update(tx, id, {
        etag: etag || undefined,
        authorize: async (file) => {
          const access = await fileAccessOf(tx.manager, caller, file);
          if (changes.isPublic !== undefined) checkManageFile(caller, access, id);
          else checkEditFile(caller, access, id);
        },
        apply: (file) => {
          if (changes.name !== undefined) file.name = changes.name;
          if (changes.isPublic !== undefined) file.isPublic = changes.isPublic;
          if (changes.folderId !== undefined) file.folderId = changes.folderId || null;
        },
      }),
    );
  }

  /** Counts the download (one atomic UPDATE, no etag change) and opens the bytes. */
  async download(caller: Principal, id: string): Promise<{ file: FileEntity; bytes: Readable }> {
    const readable = await this.get(caller, id);
    if (readable.deletedAt) {
      throw new ContentError('FILE_IN_TRASH', `file ${id} is in the trash; restore it first`);
    }
    if (!(await this.blobs.exists(readable.sha256))) {
      throw new ContentError('BLOB_MISSING', `the bytes of file ${id} are not available`);
    }
    const file = await inTransaction(this.dataSource, caller.userId, async (tx) => {
      const [, affected] = await tx.manager.query<[unknown, number]>(
        'UPDATE "content"."files" SET download_count = download_count + 1 WHERE id = $1 AND deleted_at IS NULL',
        [id],
      );
      if (affected === 0) throw KitError.notFound('file', id);
      const after = await this.files.get(id, { manager: tx.manager });
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

  /** A file goes only into a folder the caller may edit. */
  private async checkFolderTarget(caller: Principal, folderId: string): Promise<void> {
    const folder = await this.stores.folders.get(folderId, { hydrate: false });
    checkEditFolder(
      caller,
      await folderAccessOf(this.dataSource.manager, caller, folder),
      folderId,
    );
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
  readableFilesWhere(qb, caller);
  if (filters.ownerId) qb.andWhere('e.owner_id = :ownerId', { ownerId: filters.ownerId });
  if (filters.folderId) qb.andWhere('e.folder_id = :folderId', { folderId: filters.folderId });
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
