import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EmailEntity } from '../emails/email.entity';
import { MailboxEntity } from './mailbox.entity';

/**
 * One copy in one mailbox (JMAP mailboxIds): a child of the email aggregate.
 * The foreign key to the mailbox has no cascade, so a mailbox that still
 * holds mail cannot be deleted, even by a move that commits while the
 * deletion runs: no copy is ever left in no mailbox by a deletion.
 */
@Entity({ name: 'email_mailboxes' })
@Index('IDX_email_mailboxes_mailbox', ['mailboxId', 'emailId'])
export class EmailMailboxEntity {
  @PrimaryColumn({ type: 'uuid' })
  emailId!: string;

  @PrimaryColumn({ type: 'uuid' })
  mailboxId!: string;

  @ManyToOne(() => EmailEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'email_id' })
  email?: EmailEntity;

  @ManyToOne(() => MailboxEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'mailbox_id' })
  mailbox?: MailboxEntity;
}
