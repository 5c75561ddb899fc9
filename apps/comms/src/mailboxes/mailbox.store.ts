import { In, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { AggregateStore, queryPrepared, type PageTokenCodec } from '@nexus/db';
import { mailboxAggregate } from './mailbox.aggregate';
import { MailboxEntity, type MailboxRole } from './mailbox.entity';
import type { MailboxCounts } from './mailbox.mapping';

interface CountRow {
  mailbox_id: string;
  total_emails: number;
  unread_emails: number;
  total_threads: number;
  unread_threads: number;
}

/**
 * Mailboxes through the kit's one write path, and the SQL that reads them:
 * the owner's mailboxes, their role mailboxes, and their counts. Counts are
 * counted from email_mailboxes when read (one grouped query over the
 * mailboxes asked for), so they are right whatever commits concurrently and
 * no write keeps a counter.
 */
export class MailboxStore extends AggregateStore<MailboxEntity> {
  constructor(dataSource: DataSource, pageTokens: PageTokenCodec) {
    super(dataSource, MailboxEntity, mailboxAggregate, pageTokens, { resourceName: 'mailbox' });
  }

  async ownedBy(
    ownerId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<MailboxEntity[]> {
    return manager.find(MailboxEntity, { where: { ownerId } });
  }

  /** The role mailboxes of these owners, by owner and role. */
  async roles(
    ownerIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, Map<MailboxRole, MailboxEntity>>> {
    const found = await manager.find(MailboxEntity, { where: { ownerId: In([...ownerIds]) } });
    const byOwner = new Map<string, Map<MailboxRole, MailboxEntity>>();
    for (const ownerId of ownerIds) byOwner.set(ownerId, new Map());
    for (const mailbox of found) {
      if (mailbox.role) byOwner.get(mailbox.ownerId)?.set(mailbox.role, mailbox);
    }
    return byOwner;
  }

  /** Counts of each mailbox (missing: empty). Threads count once per mailbox. */
  async counts(
    mailboxIds: readonly string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, MailboxCounts>> {
    // Not prepared: a generic plan cannot know a folder of 1,000 copies from an inbox of 200,000.
    const rows: CountRow[] = await manager.query(
      `SELECT em.mailbox_id,
              count(*)::int AS total_emails,
              count(*) FILTER (WHERE NOT e.is_read)::int AS unread_emails,
              count(DISTINCT e.thread_id)::int AS total_threads,
              count(DISTINCT e.thread_id) FILTER (WHERE NOT e.is_read)::int AS unread_threads
         FROM "comms"."email_mailboxes" em
         JOIN "comms"."emails" e ON e.id = em.email_id
        WHERE em.mailbox_id = ANY($1::uuid[])
        GROUP BY em.mailbox_id`,
      [[...mailboxIds]],
    );
    return new Map(
      rows.map((row) => [
        row.mailbox_id,
        {
          totalEmails: row.total_emails,
          unreadEmails: row.unread_emails,
          totalThreads: row.total_threads,
          unreadThreads: row.unread_threads,
        },
      ]),
    );
  }

  async hasChildren(
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    return manager.exists(MailboxEntity, { where: { parentId: id } });
  }

  /** The ids of the copies in a mailbox, oldest first (the order they are filed out in). */
  async emailIdsIn(id: string, manager: EntityManager): Promise<string[]> {
    const rows = await queryPrepared<{ email_id: string }>(
      manager,
      `SELECT email_id FROM "comms"."email_mailboxes" WHERE mailbox_id = $1 ORDER BY email_id`,
      [id],
    );
    return rows.map((row) => row.email_id);
  }
}

/**
 * A write refused by a foreign key of the mailboxes: a copy filed into a
 * mailbox being deleted, or a mailbox deleted while a copy was filed into it.
 */
export function isForeignKeyViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23503'
  );
}
