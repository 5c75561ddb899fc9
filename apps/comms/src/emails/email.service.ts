import type { SelectQueryBuilder } from 'typeorm';
import { KitError, type Principal } from '@nexus/core';
import { inTransaction, type Page, type SearchPage, type SortOrder } from '@nexus/db';
import type { MailboxRole } from '../mailboxes/mailbox.entity';
import { checkCanWrite } from './email-access';
import { inScope, ownEmails, withKeyword } from './email-search';
import type { EmailCopies } from './email-copies';
import { EmailEntity } from './email.entity';
import type { EmailSearch } from './email.validation';

/** One mailbox, or every mailbox but one (the trash). */
export type MailboxScope = { mailboxId: string } | { exceptMailboxId: string };

export interface EmailFilters {
  ownerId: string;
  scope: MailboxScope;
  threadId?: string;
  unreadOnly: boolean;
  keyword?: string;
  notKeyword?: string;
  senderId?: string;
  startTime?: Date;
  endTime?: Date;
}

const NEWEST_FIRST: SortOrder<EmailEntity> = {
  key: 'sort_time_desc',
  property: 'sortTime',
  direction: 'DESC',
};

/** Reading one's copies, and erasing them (filing them: EmailFilingService). */
export class EmailService {
  constructor(private readonly copies: EmailCopies) {}

  async get(caller: Principal, id: string): Promise<EmailEntity> {
    return this.copies.withSender(await this.copies.getOwned(caller.userId, id));
  }

  /** The caller's copies in a thread, oldest first (at most 1000). */
  async thread(caller: Principal, threadId: string): Promise<EmailEntity[]> {
    const emails = await this.copies.dataSource.manager.find(EmailEntity, {
      where: { ownerId: caller.userId, threadId },
      order: { sortTime: 'ASC', id: 'ASC' },
      take: 1000,
    });
    if (emails.length === 0) throw KitError.notFound('thread', threadId);
    return this.copies.withSenders(emails);
  }

  async list(
    caller: Principal,
    query: {
      filters: Omit<EmailFilters, 'ownerId' | 'scope'> & {
        mailbox?: MailboxRole;
        mailboxId?: string;
      };
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ): Promise<Page<EmailEntity>> {
    const { mailbox, mailboxId, ...rest } = query.filters;
    const scope = await this.scope(caller, { mailbox, mailboxId });
    const filters: EmailFilters = { ...rest, scope, ownerId: caller.userId };
    const page = await this.copies.repository.list({
      filter: (qb) => applyFilters(qb, filters),
      filterValues: filters,
      order: NEWEST_FIRST,
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
    });
    await this.copies.withSenders(page.items);
    return page;
  }

  /**
   * Full-text search over the caller's own copies: subject, correspondents
   * and addresses, body text; a subject of close spelling when nothing
   * matches exactly.
   */
  async search(caller: Principal, search: EmailSearch): Promise<SearchPage<EmailEntity>> {
    const { query, pageSize, pageToken, includeTotalSize, mailbox, mailboxId, ...rest } = search;
    const scope = await this.scope(caller, { mailbox, mailboxId });
    const filters = { ...rest, scope, ownerId: caller.userId };
    const page = await this.copies.repository.search({
      query,
      filter: (qb) => ownEmails(qb, filters),
      filterValues: filters,
      snippetSql: '"e"."body_text"',
      recency: 'sortTime',
      similar: 'subject',
      pageSize,
      pageToken,
      includeTotal: includeTotalSize,
    });
    await this.copies.withSenders(page.items.map((hit) => hit.item));
    return page;
  }

  async deleteForever(caller: Principal, id: string, etag: string): Promise<void> {
    checkCanWrite(caller);
    await this.copies.getOwned(caller.userId, id);
    await inTransaction(this.copies.dataSource, caller.userId, (tx) =>
      this.copies.repository.delete(tx, id, { soft: false, etag: etag || undefined }),
    );
  }

  /**
   * The mailbox a list or search is narrowed to: `mailbox_id` (the caller's,
   * else NOT_FOUND), the caller's mailbox of a role, or none (then every
   * mailbox but the trash).
   */
  async scope(
    caller: Principal,
    query: { mailbox?: MailboxRole; mailboxId?: string },
  ): Promise<MailboxScope> {
    if (query.mailboxId) {
      await this.copies.mailboxes.requireOwned(caller.userId, [query.mailboxId]);
      return { mailboxId: query.mailboxId };
    }
    const roles = await this.copies.mailboxes.rolesOf(caller.userId);
    if (query.mailbox) return { mailboxId: roles.get(query.mailbox)!.id };
    return { exceptMailboxId: roles.get('trash')!.id };
  }
}

function applyFilters(qb: SelectQueryBuilder<EmailEntity>, filters: EmailFilters): void {
  qb.andWhere('e.owner_id = :ownerId', { ownerId: filters.ownerId });
  inScope(qb, filters.scope);
  if (filters.threadId) qb.andWhere('e.thread_id = :threadId', { threadId: filters.threadId });
  if (filters.unreadOnly) qb.andWhere('e.is_read = false');
  if (filters.keyword) withKeyword(qb, filters.keyword, true, 'keyword');
  if (filters.notKeyword) withKeyword(qb, filters.notKeyword, false, 'notKeyword');
  if (filters.senderId) qb.andWhere('e.sender_id = :senderId', { senderId: filters.senderId });
  if (filters.startTime) qb.andWhere('e.sort_time >= :startTime', { startTime: filters.startTime });
  if (filters.endTime) qb.andWhere('e.sort_time < :endTime', { endTime: filters.endTime });
}
