import type { SelectQueryBuilder } from 'typeorm';
import type { EmailEntity } from './email.entity';
import type { EmailSearch } from './email.validation';

export type EmailSearchFilters = Omit<
  EmailSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize'
> & { ownerId: string };

/**
 * The copies a search may show the caller: their own and no one else's (a
 * copy exists only for its owner, admins included: email-copies.ts), in the
 * asked mailbox or every mailbox but the trash, narrowed by the filters.
 */
export function ownEmails(qb: SelectQueryBuilder<EmailEntity>, filters: EmailSearchFilters): void {
  qb.andWhere('"e"."owner_id" = :searchOwner', { searchOwner: filters.ownerId });
  if (filters.mailbox) qb.andWhere('"e"."mailbox" = :mailbox', { mailbox: filters.mailbox });
  else qb.andWhere(`"e"."mailbox" <> 'trash'`);
  if (filters.startTime)
    qb.andWhere('"e"."sort_time" >= :startTime', { startTime: filters.startTime });
  if (filters.endTime) qb.andWhere('"e"."sort_time" < :endTime', { endTime: filters.endTime });
  if (filters.hasAttachment) qb.andWhere('cardinality("e"."attachment_ids") > 0');
}
