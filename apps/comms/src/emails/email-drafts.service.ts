import { uuidv7, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, type Tx } from '@nexus/db';
import type { AttachmentChecker } from '../attachments/attachment-checker';
import { checkCanWrite, checkDraft } from './email-access';
import type { EmailCopies } from './email-copies';
import { ANSWERED, applyKeywords } from './email-keywords';
import type { EmailEntity } from './email.entity';
import { newMessageId, prefixSubject, replyHeaders } from './message-headers';
import { replyAllAddressing } from './recipients';

export interface DraftContent {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  bodyText: string;
  bodyHtml: string;
  attachmentIds: string[];
}

export type DraftChanges = Partial<DraftContent>;

interface Threading {
  threadId: string;
  inReplyTo: string;
  referenceIds: string[];
}

/** Writing drafts: new, edited, or composed as a reply or forward of a copy. */
export class EmailDraftsService {
  constructor(
    private readonly copies: EmailCopies,
    private readonly attachments: AttachmentChecker,
  ) {}

  async create(
    caller: Principal,
    content: DraftContent,
    key: IdempotencyKey | undefined,
    deadline?: Date,
  ): Promise<EmailEntity> {
    checkCanWrite(caller);
    await this.attachments.check(caller, content.attachmentIds, {
      field: 'email.attachment_ids',
      deadline,
    });
    const threading = { threadId: uuidv7(), inReplyTo: '', referenceIds: [] };
    return this.insert(caller, content, threading, key);
  }

  async update(
    caller: Principal,
    id: string,
    etag: string,
    changes: DraftChanges,
    deadline?: Date,
  ): Promise<EmailEntity> {
    checkCanWrite(caller);
    checkDraft(await this.copies.getOwned(caller.userId, id));
    if (changes.attachmentIds) {
      await this.attachments.check(caller, changes.attachmentIds, {
        field: 'email.attachment_ids',
        deadline,
      });
    }
    const updated = await inTransaction(this.copies.dataSource, caller.userId, (tx) =>
      this.copies.repository.update(tx, id, {
        etag: etag || undefined,
        apply: (email) => {
          checkDraft(email);
          if (changes.to) email.toRecipients = changes.to;
          if (changes.cc) email.ccRecipients = changes.cc;
          if (changes.bcc) email.bccRecipients = changes.bcc;
          if (changes.subject !== undefined) email.subject = changes.subject;
          if (changes.bodyText !== undefined) email.bodyText = changes.bodyText;
          if (changes.bodyHtml !== undefined) email.bodyHtml = changes.bodyHtml;
          if (changes.attachmentIds) email.attachmentIds = changes.attachmentIds;
        },
      }),
    );
    return this.copies.withSender(updated);
  }

  /**
   * A draft to the original's sender (or, for one's own sent copy, its
   * recipients); the original gets `$answered` in the same transaction.
   */
  async reply(
    caller: Principal,
    id: string,
    body: { bodyText: string; bodyHtml: string },
    all: boolean,
    key: IdempotencyKey | undefined,
  ): Promise<EmailEntity> {
    checkCanWrite(caller);
    const original = await this.copies.getOwned(caller.userId, id);
    const addressing = all
      ? replyAllAddressing(
          { senderId: original.senderId, to: original.toRecipients, cc: original.ccRecipients },
          caller.userId,
        )
      : {
          to: original.senderId === caller.userId ? original.toRecipients : [original.senderId],
          cc: [],
        };
    return this.insert(
      caller,
      {
        ...addressing,
        bcc: [],
        subject: prefixSubject('Re', original.subject),
        ...body,
        attachmentIds: [],
      },
      { threadId: original.threadId, ...replyHeaders(original) },
      key,
      original.id,
    );
  }

  /** A draft carrying the original's text and attachments, in the original's thread. */
  async forward(
    caller: Principal,
    id: string,
    input: { to: string[]; bodyText: string },
    key: IdempotencyKey | undefined,
  ): Promise<EmailEntity> {
    checkCanWrite(caller);
    const original = await this.copies.getOwned(caller.userId, id);
    const quoted = `${input.bodyText}\n\n---------- Forwarded message ----------\nSubject: ${original.subject}\n\n${original.bodyText}`;
    return this.insert(
      caller,
      {
        to: input.to,
        cc: [],
        bcc: [],
        subject: prefixSubject('Fwd', original.subject),
        bodyText: quoted,
        bodyHtml: '',
        attachmentIds: original.attachmentIds,
      },
      { threadId: original.threadId, ...replyHeaders(original) },
      key,
    );
  }

  /** A new draft in the caller's drafts mailbox; `answering`: the copy it replies to. */
  private async insert(
    caller: Principal,
    content: DraftContent,
    threading: Threading,
    key: IdempotencyKey | undefined,
    answering?: string,
  ): Promise<EmailEntity> {
    const draftsId = (await this.copies.mailboxes.rolesOf(caller.userId)).get('drafts')!.id;
    const { repository } = this.copies;
    const email = await inTransaction(this.copies.dataSource, caller.userId, async (tx: Tx) => {
      const now = new Date();
      const { entity, created } = await repository.create(
        tx,
        {
          ownerId: caller.userId,
          previousMailboxIds: [],
          keywords: [],
          status: 'draft',
          senderId: caller.userId,
          toRecipients: content.to,
          ccRecipients: content.cc,
          bccRecipients: content.bcc,
          subject: content.subject,
          bodyText: content.bodyText,
          bodyHtml: content.bodyHtml,
          attachmentIds: content.attachmentIds,
          messageId: newMessageId(),
          ...threading,
          isRead: true,
          sentAt: null,
          receivedAt: null,
          sortTime: now,
          outbound: [],
        },
        key,
        { children: (draft) => repository.place(tx.manager, draft.id, [draftsId]) },
      );
      if (created && answering) {
        await repository.update(tx, answering, {
          apply: (original) => applyKeywords(original, { add: [ANSWERED] }),
        });
      }
      return entity;
    });
    return this.copies.withSender(email);
  }
}
