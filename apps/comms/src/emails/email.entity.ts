import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, SearchVectorColumn, searchVectorSql } from '@nexus/db';
import type { MailboxRole } from '../mailboxes/mailbox.entity';

export const EMAIL_STATUSES = ['draft', 'sent', 'received'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/**
 * What SearchEmails matches: the subject (A); who it is from and to (B): the
 * correspondents' names and addresses and the external addresses among the
 * recipients, through `comms.search_addresses` (an IMMUTABLE function of the
 * search migration, which a generated column needs to read arrays); the
 * body text (C).
 */
export const EMAIL_SEARCH = searchVectorSql('comms', [
  { sql: '"subject"', weight: 'A' },
  {
    sql: '"comms"."search_addresses"("correspondents" || "to_recipients" || "cc_recipients" || "bcc_recipients")',
    weight: 'B',
  },
  { sql: '"body_text"', weight: 'C' },
]);

/** One mailbox a copy is in. */
export interface EmailPlacement {
  mailboxId: string;
  role: MailboxRole | null;
}

export interface OutboundDelivery {
  address: string;
  state: 'pending';
}

/**
 * One user's copy of a message: the sender's draft/sent copy or a
 * recipient's received copy. Copies of one message share `message_id`.
 * Every list runs on the owner's rows, newest `sort_time` first; each filter
 * has an index led by the owner.
 */
@Entity({ name: 'emails' })
@Index('IDX_emails_owner_sort', ['ownerId', 'sortTime', 'id'])
@Index('IDX_emails_owner_thread_sort', ['ownerId', 'threadId', 'sortTime', 'id'])
@Index('IDX_emails_owner_sender_sort', ['ownerId', 'senderId', 'sortTime', 'id'])
@Index('IDX_emails_owner_unread_sort', ['ownerId', 'sortTime', 'id'], {
  where: '"is_read" = false',
})
@Index('IDX_emails_owner_message_id', ['ownerId', 'messageId'])
// GIN over the search vector, and trigrams of the subject for the typo
// fallback: created by the migration (TypeORM cannot say USING gin).
@Index('IDX_emails_search', { synchronize: false })
@Index('IDX_emails_subject_trgm', { synchronize: false })
// GIN over the keywords (ListEmails' keyword filters): created by the migration.
@Index('IDX_emails_keywords', { synchronize: false })
export class EmailEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  ownerId!: string;

  /**
   * Where a copy in the trash came from, so Restore puts it back (those of
   * them that still exist; none: the role mailbox of its status).
   */
  @Column({ type: 'uuid', array: true, default: '{}' })
  previousMailboxIds!: string[];

  /**
   * JMAP keywords other than `$seen` (the `is_read` column) and `$draft`
   * (the status): `$flagged`, `$answered`, the owner's own; lower case, sorted.
   */
  @Column({ type: 'text', array: true, default: '{}' })
  keywords!: string[];

  @Column({ type: 'enum', enum: EMAIL_STATUSES, enumName: 'email_status' })
  status!: EmailStatus;

  @Column({ type: 'uuid' })
  senderId!: string;

  /** User ids or external addresses. */
  @Column({ type: 'text', array: true, default: '{}' })
  toRecipients!: string[];

  @Column({ type: 'text', array: true, default: '{}' })
  ccRecipients!: string[];

  @Column({ type: 'text', array: true, default: '{}' })
  bccRecipients!: string[];

  /**
   * Who the copy is from and to, by name: the full name and address of the
   * sender and of each user among the recipients this copy shows, as the
   * user directory had them when it was sent (empty on a draft). Searched,
   * not shown.
   */
  @Column({ type: 'text', array: true, default: '{}' })
  correspondents!: string[];

  @Column({ type: 'text', default: '' })
  subject!: string;

  @Column({ type: 'text', default: '' })
  bodyText!: string;

  @Column({ type: 'text', default: '' })
  bodyHtml!: string;

  @Column({ type: 'uuid', array: true, default: '{}' })
  attachmentIds!: string[];

  @Column({ type: 'uuid' })
  threadId!: string;

  @Column({ type: 'text' })
  messageId!: string;

  @Column({ type: 'text', default: '' })
  inReplyTo!: string;

  @Column({ type: 'text', array: true, default: '{}' })
  referenceIds!: string[];

  @Column({ type: 'boolean', default: false })
  isRead!: boolean;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  receivedAt!: Date | null;

  /** Received, else sent, else created: the order of every list. */
  @Column({ type: 'timestamptz', precision: 3 })
  sortTime!: Date;

  /** The sender's sent copy: external addresses awaiting a mail relay. */
  @Column({ type: 'jsonb', default: [] })
  outbound!: OutboundDelivery[];

  @SearchVectorColumn(EMAIL_SEARCH)
  readonly searchVector?: unknown;

  /** Not stored: whether the sender's account was deleted (filled on read). */
  senderDeleted = false;

  /**
   * The mailboxes the copy is in, by id, with their roles: the
   * email_mailboxes rows, loaded with the copy (EmailStore).
   */
  mailboxes: EmailPlacement[] = [];
}
