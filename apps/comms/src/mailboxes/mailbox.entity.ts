import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export const MAILBOX_ROLES = ['inbox', 'sent', 'drafts', 'trash'] as const;
export type MailboxRole = (typeof MAILBOX_ROLES)[number];

/**
 * A user's mailbox and its counters. The counters are kept by the same
 * transactions that add, move, mark or erase copies, so they are always the
 * count of the rows (a CHECK keeps them consistent).
 */
@Entity({ name: 'mailboxes' })
@Check(
  'CHK_mailboxes_counts',
  '"total_count" >= 0 AND "unread_count" >= 0 AND "unread_count" <= "total_count"',
)
export class MailboxEntity {
  @PrimaryColumn({ type: 'uuid' })
  ownerId!: string;

  @PrimaryColumn({ type: 'enum', enum: MAILBOX_ROLES, enumName: 'mailbox_role' })
  role!: MailboxRole;

  @Column({ type: 'integer', default: 0 })
  totalCount!: number;

  @Column({ type: 'integer', default: 0 })
  unreadCount!: number;
}
