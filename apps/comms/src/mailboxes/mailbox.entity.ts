import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '@nexus/db';

/** The JMAP roles (RFC 8621 and the IANA mailbox role registry) every user has a mailbox of. */
export const MAILBOX_ROLES = ['inbox', 'sent', 'drafts', 'trash', 'archive', 'junk'] as const;
export type MailboxRole = (typeof MAILBOX_ROLES)[number];

/** The name a role mailbox is created with. */
export const ROLE_NAMES: Record<MailboxRole, string> = {
  inbox: 'Inbox',
  sent: 'Sent',
  drafts: 'Drafts',
  trash: 'Trash',
  archive: 'Archive',
  junk: 'Junk',
};

/**
 * A user's mailbox (JMAP Mailbox): one of the six role mailboxes, created on
 * first use, or a folder of the user's own (no role), possibly nested under
 * another of theirs. Counts are not stored: they are counted from the
 * memberships when read, so no write has to keep them. Names are unique
 * among siblings, case-insensitively (an expression index of the migration).
 */
@Entity({ name: 'mailboxes' })
@Index('UQ_mailboxes_owner_role', ['ownerId', 'role'], {
  unique: true,
  where: '"role" IS NOT NULL',
})
@Index('IDX_mailboxes_parent', ['parentId'])
@Index('UQ_mailboxes_sibling_name', { synchronize: false })
@Check('CHK_mailboxes_role_top_level', '"role" IS NULL OR "parent_id" IS NULL')
export class MailboxEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'enum', enum: MAILBOX_ROLES, enumName: 'mailbox_role', nullable: true })
  role!: MailboxRole | null;

  @Column({ type: 'text' })
  name!: string;

  /** Another mailbox of the same owner; a parent with children cannot be deleted. */
  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => MailboxEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'parent_id' })
  parent?: MailboxEntity;

  @Column({ type: 'integer', default: 0 })
  sortOrder!: number;
}
