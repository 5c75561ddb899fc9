import type { DataSource, EntityManager } from 'typeorm';
import { AggregateStore, queryPrepared, type PageTokenCodec } from '@nexus/db';
import type { MailboxRole } from '../mailboxes/mailbox.entity';
import { emailAggregate } from './email.aggregate';
import { EmailEntity } from './email.entity';

interface PlacementRow {
  email_id: string;
  mailbox_id: string;
  role: MailboxRole | null;
}

/** Loads the mailboxes each copy is in (with their roles): the child rows of the copy. */
async function hydrateEmails(manager: EntityManager, emails: EmailEntity[]): Promise<void> {
  const rows = await queryPrepared<PlacementRow>(
    manager,
    `SELECT em.email_id, em.mailbox_id, m.role
       FROM "comms"."email_mailboxes" em
       JOIN "comms"."mailboxes" m ON m.id = em.mailbox_id
      WHERE em.email_id = ANY($1::uuid[])
      ORDER BY em.mailbox_id`,
    [emails.map((email) => email.id)],
  );
  for (const email of emails) {
    email.mailboxes = rows
      .filter((row) => row.email_id === email.id)
      .map((row) => ({ mailboxId: row.mailbox_id, role: row.role }));
  }
}

/**
 * Email copies with the mailboxes they are in, through the kit's store: a
 * change of a copy's mailboxes is a change of the copy (one event, the etag
 * moves). The membership SQL lives here.
 */
export class EmailStore extends AggregateStore<EmailEntity> {
  constructor(dataSource: DataSource, pageTokens: PageTokenCodec) {
    super(dataSource, EmailEntity, emailAggregate, pageTokens, { hydrate: hydrateEmails });
  }

  /**
   * Makes `mailboxIds` the copy's mailboxes; call from a change's `apply`
   * (then reload the children) or a create's `children`.
   */
  async place(manager: EntityManager, emailId: string, mailboxIds: readonly string[]) {
    await manager.query(
      `DELETE FROM "comms"."email_mailboxes" WHERE email_id = $1 AND NOT (mailbox_id = ANY($2::uuid[]))`,
      [emailId, [...mailboxIds]],
    );
    await manager.query(
      `INSERT INTO "comms"."email_mailboxes" (email_id, mailbox_id)
       SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [emailId, [...mailboxIds]],
    );
  }
}
