import { In, type EntityManager } from 'typeorm';
import type { DirectoryEntry, NamedUser, UserDirectory } from '@nexus/clients';
import { uuidv7, type Principal } from '@nexus/core';
import { checkEtag, etagOf, inTransaction, type Tx } from '@nexus/db';
import { emailVia, type AttachmentChecker } from '../attachments/attachment-checker';
import { writeAfterGrants } from '../attachments/attachment-grants';
import { CommsError } from '../comms.errors';
import { checkCanWrite, checkDraft } from './email-access';
import type { EmailCopies } from './email-copies';
import { EmailEntity } from './email.entity';
import { threadCandidates } from './message-headers';
import {
  correspondents,
  externalRecipients,
  internalRecipients,
  isInternal,
  visibleBcc,
  type Addressing,
} from './recipients';

/**
 * Sending: in one transaction the draft becomes the sender's sent copy and
 * every internal recipient gets a received copy in their inbox, each with
 * its own event; external addresses wait as pending outbound deliveries.
 */
export class EmailSendingService {
  constructor(
    private readonly copies: EmailCopies,
    private readonly directory: UserDirectory,
    private readonly attachments: AttachmentChecker,
  ) {}

  async send(caller: Principal, id: string, etag: string, deadline?: Date): Promise<EmailEntity> {
    checkCanWrite(caller);
    const draft = await this.copies.getOwned(caller.userId, id);
    checkDraft(draft);
    checkEtag(draft, etag, 'draft');
    const addressing: Addressing = {
      to: draft.toRecipients,
      cc: draft.ccRecipients,
      bcc: draft.bccRecipients,
    };
    if (addressing.to.length + addressing.cc.length + addressing.bcc.length === 0) {
      throw new CommsError('NO_RECIPIENTS', 'a draft needs at least one recipient to be sent', [
        { field: 'to', description: 'must name at least one recipient', reason: 'REQUIRED' },
      ]);
    }
    // Checked against the version read here; the send below insists on that same version.
    // The same call names the sender and the recipients, stored on each copy for search;
    // mail to external addresses only asks nobody (and stores no names).
    const named = namedRecipients(addressing);
    const names =
      named.length > 0
        ? await this.directory.requireActive(caller, named, deadline, [caller.userId])
        : new Map<string, DirectoryEntry>();
    await this.attachments.check(caller, draft.attachmentIds, {
      field: 'email.attachment_ids',
      deadline,
    });
    const recipients = internalRecipients(addressing);
    const roles = await this.copies.mailboxes.roles([caller.userId, ...recipients]);
    const { repository } = this.copies;
    const senderRoles = roles.get(caller.userId)!;

    // The internal recipients may read the attachments once it is sent (docs/comms.md#attachments).
    const via = emailVia(id);
    const granted = await this.attachments.grant(
      caller,
      { fileIds: draft.attachmentIds, userIds: recipients, via },
      { field: 'email.attachment_ids', deadline },
    );
    const unsent = async () => (await repository.find(id))?.status === 'draft';
    const write = () =>
      inTransaction(this.copies.dataSource, caller.userId, async (tx) => {
        const now = new Date();
        const senderCopy = await repository.update(tx, id, {
          etag: etagOf(draft),
          verb: 'sent',
          apply: async (email, applying) => {
            checkDraft(email);
            // Out of the drafts (or the trash) into the sent mailbox; labels it was given stay.
            const leaving = [senderRoles.get('drafts')!.id, senderRoles.get('trash')!.id];
            const kept = email.mailboxes
              .map((placement) => placement.mailboxId)
              .filter((mailboxId) => !leaving.includes(mailboxId));
            await repository.place(tx.manager, id, [...kept, senderRoles.get('sent')!.id]);
            await applying.reloadChildren();
            email.status = 'sent';
            email.sentAt = now;
            email.sortTime = now;
            email.outbound = externalRecipients(addressing).map((address) => ({
              address,
              state: 'pending',
            }));
            email.correspondents = correspondents(caller.userId, addressing, names);
          },
        });
        for (const recipient of recipients) {
          const inboxId = roles.get(recipient)!.get('inbox')!.id;
          await this.deliver(tx, senderCopy, addressing, { recipient, inboxId }, names, now);
        }
        return senderCopy;
      });
    const sent = await writeAfterGrants(this.attachments, caller, granted, via, write, unsent);
    return this.copies.withSender(sent);
  }

  /** The recipient's own copy, threaded by the headers against their own mail. */
  private async deliver(
    tx: Tx,
    sent: EmailEntity,
    addressing: Addressing,
    { recipient, inboxId }: { recipient: string; inboxId: string },
    names: ReadonlyMap<string, DirectoryEntry>,
    now: Date,
  ): Promise<void> {
    const { repository } = this.copies;
    const threadId = (await threadOf(tx.manager, recipient, threadCandidates(sent))) ?? uuidv7();
    const shown = { ...addressing, bcc: visibleBcc(addressing, sent.senderId, recipient) };
    await repository.create(
      tx,
      {
        ownerId: recipient,
        previousMailboxIds: [],
        keywords: [],
        status: 'received',
        senderId: sent.senderId,
        toRecipients: shown.to,
        ccRecipients: shown.cc,
        bccRecipients: shown.bcc,
        correspondents: correspondents(sent.senderId, shown, names),
        subject: sent.subject,
        bodyText: sent.bodyText,
        bodyHtml: sent.bodyHtml,
        attachmentIds: sent.attachmentIds,
        threadId,
        messageId: sent.messageId,
        inReplyTo: sent.inReplyTo,
        referenceIds: sent.referenceIds,
        isRead: false,
        sentAt: sent.sentAt,
        receivedAt: now,
        sortTime: now,
        outbound: [],
      },
      undefined,
      { children: (copy) => repository.place(tx.manager, copy.id, [inboxId]) },
    );
  }
}

/** The thread of the owner's copy of the nearest referenced message, if they have one. */
async function threadOf(
  manager: EntityManager,
  ownerId: string,
  candidates: string[],
): Promise<string | undefined> {
  if (candidates.length === 0) return undefined;
  const found = await manager.find(EmailEntity, {
    where: { ownerId, messageId: In(candidates) },
    select: { messageId: true, threadId: true },
  });
  for (const messageId of candidates) {
    const match = found.find((email) => email.messageId === messageId);
    if (match) return match.threadId;
  }
  return undefined;
}

function namedRecipients(addressing: Addressing): NamedUser[] {
  const named: NamedUser[] = [];
  for (const field of ['to', 'cc', 'bcc'] as const) {
    addressing[field].forEach((recipient, index) => {
      if (isInternal(recipient)) named.push({ id: recipient, field: `email.${field}[${index}]` });
    });
  }
  return named;
}
