import { type RpcKit, checkUpdateMask } from '@nexus/grpc';
import { validate } from '@nexus/core';
import type { commsV1 } from '@nexus/proto';
import { getSchema } from '../emails/email.validation';
import { toMailboxMessage } from './mailbox.mapping';
import type { MailboxService, MailboxWithCounts } from './mailbox.service';
import {
  MAILBOX_UPDATABLE,
  createMailboxSchema,
  deleteMailboxSchema,
  updateMailboxSchema,
} from './mailbox.validation';

type MailboxHandlers = Pick<
  commsV1.EmailServiceServer,
  'listMailboxes' | 'getMailbox' | 'createMailbox' | 'updateMailbox' | 'deleteMailbox'
>;

const encode = ({ mailbox, counts }: MailboxWithCounts) => toMailboxMessage(mailbox, counts);

/** The mailbox RPCs of nexus.comms.v1.EmailService: decode, validate, call the domain, encode. */
export function mailboxHandlers(rpc: RpcKit, mailboxes: MailboxService): MailboxHandlers {
  return {
    listMailboxes: rpc.unary(
      'ListMailboxes',
      async (_request: commsV1.ListMailboxesRequest, ctx) => ({
        mailboxes: (await mailboxes.list(ctx.caller)).map(encode),
      }),
    ),

    getMailbox: rpc.unary('GetMailbox', async (request: commsV1.GetMailboxRequest, ctx) => {
      const { id } = validate(getSchema, request);
      return encode(await mailboxes.get(ctx.caller, id));
    }),

    createMailbox: rpc.unary(
      'CreateMailbox',
      async (request: commsV1.CreateMailboxRequest, ctx) => {
        const { mailbox, requestId } = validate(createMailboxSchema, request);
        return encode(
          await mailboxes.create(ctx.caller, mailbox, ctx.idempotencyKey(requestId, request)),
        );
      },
    ),

    updateMailbox: rpc.unary(
      'UpdateMailbox',
      async (request: commsV1.UpdateMailboxRequest, ctx) => {
        const paths = checkUpdateMask(request.updateMask, MAILBOX_UPDATABLE);
        const { mailbox } = validate(updateMailboxSchema(paths), request);
        const { id, etag, ...changes } = mailbox;
        return encode(await mailboxes.update(ctx.caller, id, etag, changes));
      },
    ),

    deleteMailbox: rpc.unary(
      'DeleteMailbox',
      async (request: commsV1.DeleteMailboxRequest, ctx) => {
        const { id, etag, removeEmails } = validate(deleteMailboxSchema, request);
        await mailboxes.delete(ctx.caller, id, etag, removeEmails);
        return {};
      },
    ),
  };
}
