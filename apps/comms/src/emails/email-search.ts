import type { SelectQueryBuilder } from 'typeorm';
import { DRAFT, SEEN } from './email-keywords';
import type { EmailEntity } from './email.entity';
import type { MailboxScope } from './email.service';
import type { EmailSearch } from './email.validation';

export type EmailSearchFilters = Omit<
  EmailSearch,
  'query' | 'pageSize' | 'pageToken' | 'includeTotalSize' | 'mailbox' | 'mailboxId'
> & { ownerId: string; scope: MailboxScope };

const IN_MAILBOX = `EXISTS (SELECT 1 FROM "comms"."email_mailboxes" em WHERE em.email_id = "e"."id" AND em.mailbox_id = :scopeMailbox)`;

/** Copies in the scope's mailbox, or in any but the excepted one (the trash). */
export function inScope(qb: SelectQueryBuilder<EmailEntity>, scope: MailboxScope): void {
  if ('mailboxId' in scope) qb.andWhere(IN_MAILBOX, { scopeMailbox: scope.mailboxId });
  else qb.andWhere(`NOT ${IN_MAILBOX}`, { scopeMailbox: scope.exceptMailboxId });
}

/** Copies with (or without) a keyword; `$seen` is the read flag, `$draft` the status. */
export function withKeyword(
  qb: SelectQueryBuilder<EmailEntity>,
  keyword: string,
  present: boolean,
  parameter: string,
): void {
  const not = present ? '' : 'NOT ';
  if (keyword === SEEN) qb.andWhere(`${not}"e"."is_read"`);
  else if (keyword === DRAFT) qb.andWhere(`${not}("e"."status" = 'draft')`);
  else
    qb.andWhere(`${not}("e"."keywords" @> ARRAY[:${parameter}]::text[])`, { [parameter]: keyword });
}

/**
 * The copies a search may show the caller: their own and no one else's (a
 * copy exists only for its owner, admins included: email-copies.ts), in the
 * asked mailbox or every mailbox but the trash, narrowed by the filters.
 */
export function ownEmails(qb: SelectQueryBuilder<EmailEntity>, filters: EmailSearchFilters): void {
  qb.andWhere('"e"."owner_id" = :searchOwner', { searchOwner: filters.ownerId });
  inScope(qb, filters.scope);
  if (filters.startTime)
    qb.andWhere('"e"."sort_time" >= :startTime', { startTime: filters.startTime });
  if (filters.endTime) qb.andWhere('"e"."sort_time" < :endTime', { endTime: filters.endTime });
  if (filters.hasAttachment) qb.andWhere('cardinality("e"."attachment_ids") > 0');
}
