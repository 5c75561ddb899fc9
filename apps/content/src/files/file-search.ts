import type { SelectQueryBuilder } from 'typeorm';
import type { Principal } from '@nexus/core';
import { likePrefix } from '@nexus/db';
import { readableFilesWhere } from './file-access';
import type { FileEntity } from './file.entity';
import type { FileSearch } from './file.validation';

export type FileSearchFilters = Omit<
  FileSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize'
>;

/**
 * The files a search may show the caller: those GetFile would return
 * (file-access.ts's read rule), not in the trash, narrowed by the request's
 * filters.
 */
export function readableFiles(
  qb: SelectQueryBuilder<FileEntity>,
  caller: Principal,
  filters: FileSearchFilters,
): void {
  readableFilesWhere(qb, caller);
  if (filters.ownerId) qb.andWhere('"e"."owner_id" = :ownerId', { ownerId: filters.ownerId });
  if (filters.mimeTypePrefix) {
    qb.andWhere(`"e"."mime_type" LIKE :mimePrefix ESCAPE '\\'`, {
      mimePrefix: likePrefix(filters.mimeTypePrefix),
    });
  }
  if (filters.createTimeAfter)
    qb.andWhere('"e"."created_at" >= :createdAfter', { createdAfter: filters.createTimeAfter });
  if (filters.createTimeBefore)
    qb.andWhere('"e"."created_at" < :createdBefore', { createdBefore: filters.createTimeBefore });
}
