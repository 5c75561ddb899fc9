import { etagOf } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { MailboxEntity, MailboxRole } from './mailbox.entity';

export const MAILBOX_TO_PROTO: Record<MailboxRole, commsV1.MailboxRole> = {
  inbox: commsV1.MailboxRole.MAILBOX_ROLE_INBOX,
  sent: commsV1.MailboxRole.MAILBOX_ROLE_SENT,
  drafts: commsV1.MailboxRole.MAILBOX_ROLE_DRAFTS,
  trash: commsV1.MailboxRole.MAILBOX_ROLE_TRASH,
  archive: commsV1.MailboxRole.MAILBOX_ROLE_ARCHIVE,
  junk: commsV1.MailboxRole.MAILBOX_ROLE_JUNK,
};

export const MAILBOX_OF_PROTO: Partial<Record<commsV1.MailboxRole, MailboxRole>> =
  Object.fromEntries(
    Object.entries(MAILBOX_TO_PROTO).map(([role, value]) => [value, role as MailboxRole]),
  );

/** A mailbox's counts, counted from its memberships when read. */
export interface MailboxCounts {
  totalEmails: number;
  unreadEmails: number;
  totalThreads: number;
  unreadThreads: number;
}

export const NO_COUNTS: MailboxCounts = {
  totalEmails: 0,
  unreadEmails: 0,
  totalThreads: 0,
  unreadThreads: 0,
};

/** The API's view of a mailbox; events carry it without counts (they change with the mail, not the mailbox). */
export function toMailboxMessage(
  mailbox: MailboxEntity,
  counts: MailboxCounts = NO_COUNTS,
): commsV1.Mailbox {
  return {
    id: mailbox.id,
    ownerId: mailbox.ownerId,
    role: mailbox.role
      ? MAILBOX_TO_PROTO[mailbox.role]
      : commsV1.MailboxRole.MAILBOX_ROLE_UNSPECIFIED,
    name: mailbox.name,
    parentId: mailbox.parentId ?? '',
    sortOrder: mailbox.sortOrder,
    totalCount: counts.totalEmails,
    unreadCount: counts.unreadEmails,
    totalThreads: counts.totalThreads,
    unreadThreads: counts.unreadThreads,
    createTime: mailbox.createdAt,
    updateTime: mailbox.updatedAt,
    etag: etagOf(mailbox),
  };
}
