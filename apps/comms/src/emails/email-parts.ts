import type { DataSource } from 'typeorm';
import type { PageTokenCodec } from '@nexus/db';
import type { DeletedUsers } from '../directory/deleted-users';
import { MailboxService } from '../mailboxes/mailbox.service';
import { MailboxStore } from '../mailboxes/mailbox.store';
import { EmailCopies } from './email-copies';
import { EmailFilingService } from './email-filing.service';
import { EmailStore } from './email.store';

/**
 * The mailboxes and the copies they hold, wired both ways: deleting a
 * mailbox files its copies out through the email side.
 */
export function emailParts(
  dataSource: DataSource,
  pageTokens: PageTokenCodec,
  deletedUsers: DeletedUsers,
) {
  const mailboxes: MailboxService = new MailboxService(
    new MailboxStore(dataSource, pageTokens),
    (tx, mailbox, emailIds) => filing.evict(tx, mailbox, emailIds),
  );
  const copies = new EmailCopies(new EmailStore(dataSource, pageTokens), mailboxes, deletedUsers);
  const filing = new EmailFilingService(copies);
  return { mailboxes, filing, copies };
}
