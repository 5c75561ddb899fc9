import type { EntityManager } from 'typeorm';
import { KitError } from '@nexus/core';
import type { DeletedUsers } from '../directory/deleted-users';
import type { MailboxService } from '../mailboxes/mailbox.service';
import type { EmailEntity } from './email.entity';
import type { EmailStore } from './email.store';

/**
 * What every email operation shares: the copies' store, the mailboxes, and
 * the one access rule: a copy exists only for its owner.
 */
export class EmailCopies {
  constructor(
    readonly repository: EmailStore,
    readonly mailboxes: MailboxService,
    readonly deletedUsers: DeletedUsers,
  ) {}

  get dataSource() {
    return this.repository.dataSource;
  }

  /** The owner's copy, or NOT_FOUND: someone else's copy is not there for them. */
  async getOwned(ownerId: string, id: string, manager?: EntityManager): Promise<EmailEntity> {
    const email = await this.repository.find(id, { manager });
    if (!email || email.ownerId !== ownerId) throw KitError.notFound('email', id);
    return email;
  }

  /** Marks the copies whose sender has been deleted; returns them for chaining. */
  async withSenders(emails: EmailEntity[]): Promise<EmailEntity[]> {
    const deleted = await this.deletedUsers.among(emails.map((email) => email.senderId));
    for (const email of emails) email.senderDeleted = deleted.has(email.senderId);
    return emails;
  }

  async withSender(email: EmailEntity): Promise<EmailEntity> {
    return (await this.withSenders([email]))[0];
  }
}
