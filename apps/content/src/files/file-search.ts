import type { SelectQueryBuilder } from 'typeorm';
import { isAdmin, type Principal } from '@nexus/core';
import { likePrefix } from '@nexus/db';
import type { FileEntity } from './file.entity';
import type { FileSearch } from './file.validation';

export type FileSearchFilters = Omit<
  FileSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize'
>;

/**
 * The files a search may show the caller: those GetFile would return
 * (file-access.ts canReadFile: public, their own, or any for an admin),
 * narrowed by the request's filters.
 */
export function readableFiles(
  qb: SelectQueryBuilder<FileEntity>,
  caller: Principal,
  filters: FileSearchFilters,
): void {
  if (!isAdmin(caller)) {
    qb.andWhere('("e"."is_public" OR "e"."owner_id" = :searchCaller)', {
      searchCaller: caller.userId,
    });
  }
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
