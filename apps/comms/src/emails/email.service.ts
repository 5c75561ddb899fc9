import type { SelectQueryBuilder } from 'typeorm';
import { KitError, type Principal } from '@nexus/core';
import { inTransaction, type Page, type SearchPage, type SortOrder } from '@nexus/db';
import type { MailboxEntity, MailboxRole } from '../mailboxes/mailbox.entity';
import { MailboxService } from '../mailboxes/mailbox.service';
import { CommsError } from '../comms.errors';
import { checkCanWrite } from './email-access';
import { ownEmails } from './email-search';
import type { EmailCopies } from './email-copies';
import { EmailEntity } from './email.entity';
import type { EmailSearch } from './email.validation';

export interface EmailFilters {
  ownerId: string;
  /** Undefined: every mailbox but the trash. */
  mailbox?: MailboxRole;
  threadId?: string;
  unreadOnly: boolean;
  senderId?: string;
  startTime?: Date;
  endTime?: Date;
}

const NEWEST_FIRST: SortOrder<EmailEntity> = {
  key: 'sort_time_desc',
  property: 'sortTime',
  direction: 'DESC',
};

/** Reading one's copies and filing them: read flags, trash, restore, erase. */
export class EmailService {
  constructor(private readonly copies: EmailCopies) {}

  async mailboxes(caller: Principal): Promise<MailboxEntity[]> {
    return this.copies.mailboxes.list(caller.userId);
  }

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
      filters: Omit<EmailFilters, 'ownerId'>;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ): Promise<Page<EmailEntity>> {
    const filters: EmailFilters = { ...query.filters, ownerId: caller.userId };
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
    const { query, pageSize, pageToken, includeTotalSize, ...rest } = search;
    const filters = { ...rest, ownerId: caller.userId };
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

  async setRead(caller: Principal, id: string, read: boolean): Promise<EmailEntity> {
    checkCanWrite(caller);
    await this.copies.getOwned(caller.userId, id);
    return this.change(caller, id, '', 'updated', (email) => {
      email.isRead = read;
    });
  }

  async moveToTrash(caller: Principal, id: string, etag: string): Promise<EmailEntity> {
    checkCanWrite(caller);
    await this.copies.getOwned(caller.userId, id);
    return this.change(caller, id, etag, 'deleted', (email) => {
      if (email.mailbox === 'trash')
        throw new CommsError('ALREADY_IN_TRASH', `email ${id} is already in the trash`);
      email.previousMailbox = email.mailbox;
      email.mailbox = 'trash';
    });
  }

  async restore(caller: Principal, id: string): Promise<EmailEntity> {
    checkCanWrite(caller);
    await this.copies.getOwned(caller.userId, id);
    return this.change(caller, id, '', 'restored', (email) => {
      if (email.mailbox !== 'trash')
        throw new CommsError('NOT_IN_TRASH', `email ${id} is not in the trash`);
      email.mailbox = email.previousMailbox ?? defaultMailbox(email);
      email.previousMailbox = null;
    });
  }

  async deleteForever(caller: Principal, id: string, etag: string): Promise<void> {
    checkCanWrite(caller);
    await this.copies.getOwned(caller.userId, id);
    await inTransaction(this.copies.dataSource, caller.userId, async (tx) => {
      const erased = await this.copies.repository.delete(tx, id, {
        soft: false,
        etag: etag || undefined,
      });
      await this.copies.mailboxes.adjust(
        tx.manager,
        erased.ownerId,
        erased.mailbox,
        MailboxService.one(erased.isRead, -1),
      );
    });
  }

  /** One change of a copy with its event, moving the mailbox counters along. */
  private async change(
    caller: Principal,
    id: string,
    etag: string,
    verb: string,
    apply: (email: EmailEntity) => void,
  ): Promise<EmailEntity> {
    const email = await inTransaction(this.copies.dataSource, caller.userId, async (tx) => {
      let before: { mailbox: MailboxRole; isRead: boolean } | undefined;
      const after = await this.copies.repository.update(tx, id, {
        etag: etag || undefined,
        verb,
        apply: (current) => {
          before = { mailbox: current.mailbox, isRead: current.isRead };
          apply(current);
        },
      });
      if (before && (before.mailbox !== after.mailbox || before.isRead !== after.isRead)) {
        const { mailboxes } = this.copies;
        await mailboxes.adjust(
          tx.manager,
          after.ownerId,
          before.mailbox,
          MailboxService.one(before.isRead, -1),
        );
        await mailboxes.adjust(
          tx.manager,
          after.ownerId,
          after.mailbox,
          MailboxService.one(after.isRead, 1),
        );
      }
      return after;
    });
    return this.copies.withSender(email);
  }
}

function defaultMailbox(email: EmailEntity): MailboxRole {
  if (email.status === 'draft') return 'drafts';
  return email.status === 'sent' ? 'sent' : 'inbox';
}

function applyFilters(qb: SelectQueryBuilder<EmailEntity>, filters: EmailFilters): void {
  qb.andWhere('e.owner_id = :ownerId', { ownerId: filters.ownerId });
  if (filters.mailbox) qb.andWhere('e.mailbox = :mailbox', { mailbox: filters.mailbox });
  else qb.andWhere("e.mailbox <> 'trash'");
  if (filters.threadId) qb.andWhere('e.thread_id = :threadId', { threadId: filters.threadId });
  if (filters.unreadOnly) qb.andWhere('e.is_read = false');
  if (filters.senderId) qb.andWhere('e.sender_id = :senderId', { senderId: filters.senderId });
  if (filters.startTime) qb.andWhere('e.sort_time >= :startTime', { startTime: filters.startTime });
  if (filters.endTime) qb.andWhere('e.sort_time < :endTime', { endTime: filters.endTime });
}
