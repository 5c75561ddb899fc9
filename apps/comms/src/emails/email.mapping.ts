import { etagOf } from '@nexus/db';
import { commsV1 } from '@nexus/proto';
import type { MailboxRole } from '../mailboxes/mailbox.entity';
import type { EmailEntity, EmailStatus } from './email.entity';

export const MAILBOX_TO_PROTO: Record<MailboxRole, commsV1.MailboxRole> = {
  inbox: commsV1.MailboxRole.MAILBOX_ROLE_INBOX,
  sent: commsV1.MailboxRole.MAILBOX_ROLE_SENT,
  drafts: commsV1.MailboxRole.MAILBOX_ROLE_DRAFTS,
  trash: commsV1.MailboxRole.MAILBOX_ROLE_TRASH,
};

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
    mailbox: MAILBOX_TO_PROTO[email.mailbox],
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
