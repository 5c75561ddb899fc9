import { type RpcKit, checkUpdateMask, searchResponse } from '@nexus/grpc';
import { validate } from '@nexus/core';
import type { commsV1 } from '@nexus/proto';
import type { MailboxService } from '../mailboxes/mailbox.service';
import { mailboxHandlers } from '../mailboxes/mailbox.grpc';
import type { EmailDraftsService } from './email-drafts.service';
import type { EmailFilingService } from './email-filing.service';
import type { EmailSendingService } from './email-sending.service';
import type { EmailService } from './email.service';
import { toEmailMessage } from './email.mapping';
import {
  DRAFT_UPDATABLE,
  EMAIL_UPDATABLE,
  createDraftSchema,
  forwardSchema,
  getSchema,
  listEmailsSchema,
  mailboxMembershipSchema,
  replySchema,
  searchEmailsSchema,
  sendSchema,
  setKeywordsSchema,
  threadSchema,
  trashSchema,
  updateDraftSchema,
  updateEmailSchema,
} from './email.validation';

export interface EmailServices {
  emails: EmailService;
  drafts: EmailDraftsService;
  sending: EmailSendingService;
  filing: EmailFilingService;
  mailboxes: MailboxService;
}

/** nexus.comms.v1.EmailService: decode, validate, call the domain, encode. */
export function emailServiceHandlers(
  rpc: RpcKit,
  { emails, drafts, sending, filing, mailboxes }: EmailServices,
): Omit<commsV1.EmailServiceServer, 'watchMailbox' | 'getEmailChanges'> {
  return {
    ...mailboxHandlers(rpc, mailboxes),

    createDraft: rpc.unary('CreateDraft', async (request: commsV1.CreateDraftRequest, ctx) => {
      const caller = ctx.caller;
      const { email, requestId } = validate(createDraftSchema, request);
      return toEmailMessage(
        await drafts.create(caller, email, ctx.idempotencyKey(requestId, request), ctx.deadline),
      );
    }),

    updateDraft: rpc.unary('UpdateDraft', async (request: commsV1.UpdateDraftRequest, ctx) => {
      const caller = ctx.caller;
      const paths = checkUpdateMask(request.updateMask, DRAFT_UPDATABLE);
      const { email } = validate(updateDraftSchema(paths), request);
      const { id, etag, ...changes } = email;
      return toEmailMessage(await drafts.update(caller, id, etag, changes, ctx.deadline));
    }),

    sendEmail: rpc.unary('SendEmail', async (request: commsV1.SendEmailRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(sendSchema, request);
      return toEmailMessage(await sending.send(caller, id, etag, ctx.deadline));
    }),

    reply: rpc.unary('Reply', async (request: commsV1.ReplyRequest, ctx) => {
      const caller = ctx.caller;
      const { id, requestId, ...body } = validate(replySchema, request);
      return toEmailMessage(
        await drafts.reply(caller, id, body, false, ctx.idempotencyKey(requestId, request)),
      );
    }),

    replyAll: rpc.unary('ReplyAll', async (request: commsV1.ReplyAllRequest, ctx) => {
      const caller = ctx.caller;
      const { id, requestId, ...body } = validate(replySchema, request);
      return toEmailMessage(
        await drafts.reply(caller, id, body, true, ctx.idempotencyKey(requestId, request)),
      );
    }),

    forward: rpc.unary('Forward', async (request: commsV1.ForwardRequest, ctx) => {
      const caller = ctx.caller;
      const { id, requestId, ...input } = validate(forwardSchema, request);
      return toEmailMessage(
        await drafts.forward(caller, id, input, ctx.idempotencyKey(requestId, request)),
      );
    }),

    getEmail: rpc.unary('GetEmail', async (request: commsV1.GetEmailRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(getSchema, request);
      return toEmailMessage(await emails.get(caller, id));
    }),

    getThread: rpc.unary('GetThread', async (request: commsV1.GetThreadRequest, ctx) => {
      const caller = ctx.caller;
      const { threadId } = validate(threadSchema, request);
      return { emails: (await emails.thread(caller, threadId)).map(toEmailMessage) };
    }),

    listEmails: rpc.unary('ListEmails', async (request: commsV1.ListEmailsRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listEmailsSchema, request);
      const page = await emails.list(caller, {
        filters: {
          mailbox: query.mailbox,
          mailboxId: query.mailboxId,
          keyword: query.keyword,
          notKeyword: query.notKeyword,
          threadId: query.threadId,
          unreadOnly: query.unreadOnly,
          senderId: query.senderId,
          startTime: query.startTime,
          endTime: query.endTime,
        },
        pageSize: query.pageSize,
        pageToken: query.pageToken,
        includeTotal: query.includeTotalSize,
      });
      return {
        emails: page.items.map(toEmailMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    searchEmails: rpc.unary('SearchEmails', async (request: commsV1.SearchEmailsRequest, ctx) => {
      const page = await emails.search(ctx.caller, validate(searchEmailsSchema, request));
      return searchResponse(page, (item, snippet) => ({ email: toEmailMessage(item), snippet }));
    }),

    markRead: rpc.unary('MarkRead', async (request: commsV1.MarkReadRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(getSchema, request);
      return toEmailMessage(await filing.setRead(caller, id, true));
    }),

    markUnread: rpc.unary('MarkUnread', async (request: commsV1.MarkUnreadRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(getSchema, request);
      return toEmailMessage(await filing.setRead(caller, id, false));
    }),

    updateEmail: rpc.unary('UpdateEmail', async (request: commsV1.UpdateEmailRequest, ctx) => {
      const paths = checkUpdateMask(request.updateMask, EMAIL_UPDATABLE);
      const { email } = validate(updateEmailSchema(paths), request);
      const { id, etag, ...changes } = email;
      return toEmailMessage(await filing.update(ctx.caller, id, etag, changes));
    }),

    setEmailKeywords: rpc.unary(
      'SetEmailKeywords',
      async (request: commsV1.SetEmailKeywordsRequest, ctx) => {
        const { id, etag, add, remove } = validate(setKeywordsSchema, request);
        return toEmailMessage(await filing.setKeywords(ctx.caller, id, etag, add, remove));
      },
    ),

    addToMailbox: rpc.unary('AddToMailbox', async (request: commsV1.AddToMailboxRequest, ctx) => {
      const { id, mailboxId } = validate(mailboxMembershipSchema, request);
      return toEmailMessage(await filing.addToMailbox(ctx.caller, id, mailboxId));
    }),

    removeFromMailbox: rpc.unary(
      'RemoveFromMailbox',
      async (request: commsV1.RemoveFromMailboxRequest, ctx) => {
        const { id, mailboxId } = validate(mailboxMembershipSchema, request);
        return toEmailMessage(await filing.removeFromMailbox(ctx.caller, id, mailboxId));
      },
    ),

    moveToTrash: rpc.unary('MoveToTrash', async (request: commsV1.MoveToTrashRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(trashSchema, request);
      return toEmailMessage(await filing.moveToTrash(caller, id, etag));
    }),

    restore: rpc.unary('Restore', async (request: commsV1.RestoreRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(getSchema, request);
      return toEmailMessage(await filing.restore(caller, id));
    }),

    deleteForever: rpc.unary(
      'DeleteForever',
      async (request: commsV1.DeleteForeverRequest, ctx) => {
        const caller = ctx.caller;
        const { id, etag } = validate(trashSchema, request);
        await emails.deleteForever(caller, id, etag);
        return {};
      },
    ),
  };
}
