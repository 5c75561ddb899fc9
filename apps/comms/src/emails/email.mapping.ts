import { etagOf } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { MailboxRole } from '../mailboxes/mailbox.entity';
import { MAILBOX_TO_PROTO } from '../mailboxes/mailbox.mapping';
import { keywordsOf } from './email-keywords';
import type { EmailEntity, EmailStatus } from './email.entity';

/** Which role a copy in several role mailboxes shows in `mailbox` (the one field older clients read). */
const ROLE_PRECEDENCE: readonly MailboxRole[] = [
  'trash',
  'drafts',
  'sent',
  'inbox',
  'archive',
  'junk',
];

function shownRole(email: EmailEntity): commsV1.MailboxRole {
  const roles = new Set(email.mailboxes.map((placement) => placement.role));
  const role = ROLE_PRECEDENCE.find((candidate) => roles.has(candidate));
  return role ? MAILBOX_TO_PROTO[role] : commsV1.MailboxRole.MAILBOX_ROLE_UNSPECIFIED;
}

const STATUS_TO_PROTO: Record<EmailStatus, commsV1.EmailStatus> = {
  draft: commsV1.EmailStatus.EMAIL_STATUS_DRAFT,
  sent: commsV1.EmailStatus.EMAIL_STATUS_SENT,
  received: commsV1.EmailStatus.EMAIL_STATUS_RECEIVED,
};

/** The API's view of one user's copy. */
export function toEmailMessage(email: EmailEntity): commsV1.Email {
  return {
    id: email.id,
    ownerId: email.ownerId,
    mailbox: shownRole(email),
    mailboxIds: email.mailboxes.map((placement) => placement.mailboxId),
    keywords: keywordsOf(email),
    status: STATUS_TO_PROTO[email.status],
    senderId: email.senderId,
    senderDeleted: email.senderDeleted,
    to: email.toRecipients,
    cc: email.ccRecipients,
    bcc: email.bccRecipients,
    subject: email.subject,
    bodyText: email.bodyText,
    bodyHtml: email.bodyHtml,
    attachmentIds: email.attachmentIds,
    threadId: email.threadId,
    messageId: email.messageId,
    inReplyTo: email.inReplyTo,
    references: email.referenceIds,
    read: email.isRead,
    sendTime: email.sentAt ?? undefined,
    receiveTime: email.receivedAt ?? undefined,
    outbound: email.outbound.map((delivery) => ({ ...delivery })),
    createTime: email.createdAt,
    updateTime: email.updatedAt,
    etag: etagOf(email),
  };
}
