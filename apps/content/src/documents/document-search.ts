import type { SelectQueryBuilder } from 'typeorm';
import { isAdmin, type Principal } from '@nexus/core';
import type { DocumentEntity } from './document.entity';
import type { DocumentSearch } from './document.validation';

export type DocumentSearchFilters = Omit<
  DocumentSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize'
>;

/**
 * The documents a search may show the caller: not in the trash, and ones
 * GetDocument would return (document-access.ts accessOf: the owner, a user
 * with any share — viewer, commenter or editor —, or an admin), narrowed by
 * the request's filters. The share is looked up when the search runs, so a
 * revoked share hides the document from the next search.
 */
export function readableDocuments(
  qb: SelectQueryBuilder<DocumentEntity>,
  caller: Principal,
  filters: DocumentSearchFilters,
): void {
  qb.andWhere('"e"."deleted_at" IS NULL');
  if (!isAdmin(caller)) {
    qb.andWhere(
      `("e"."owner_id" = :searchCaller OR EXISTS (
         SELECT 1 FROM "content"."document_shares" "s"
          WHERE "s"."document_id" = "e"."id" AND "s"."user_id" = :searchCaller))`,
      { searchCaller: caller.userId },
    );
  }
  if (filters.kind) qb.andWhere('"e"."kind" = :kind', { kind: filters.kind });
  if (filters.ownerId) qb.andWhere('"e"."owner_id" = :ownerId', { ownerId: filters.ownerId });
  if (filters.updateTimeAfter)
    qb.andWhere('"e"."updated_at" >= :updatedAfter', { updatedAfter: filters.updateTimeAfter });
  if (filters.updateTimeBefore)
    qb.andWhere('"e"."updated_at" < :updatedBefore', { updatedBefore: filters.updateTimeBefore });
}
