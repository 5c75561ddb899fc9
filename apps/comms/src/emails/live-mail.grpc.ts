import type { ServerWritableStream } from '@grpc/grpc-js';
import { KitError, validate } from '@nexus/core';
import type { PlatformEvent } from '@nexus/events';
import type { RpcKit } from '@nexus/grpc';
import { commsV1 } from '@nexus/proto';
import type { LiveStreams } from '@nexus/runtime';
import type { DataSource } from 'typeorm';
import type { PageTokenCodec } from '@nexus/db';
import type { MailboxService } from '../mailboxes/mailbox.service';
import { MailboxStore } from '../mailboxes/mailbox.store';
import { EmailChanges } from './email-changes';
import { getEmailChangesSchema, watchMailboxSchema } from './live-mail.validation';
import {
  EMAIL_TOPIC,
  mailboxesTouched,
  resourceOf,
  selectsMail,
  verbOf,
  type MailSelection,
} from './mail-events';
import { MailboxSnapshots } from './mailbox-snapshots';

export interface LiveMail {
  live: LiveStreams;
  mailboxes: MailboxService;
  snapshots: MailboxSnapshots;
  changes: EmailChanges;
}

/** What live mail needs, made once per service (the snapshots are shared by every stream). */
export function liveMail(
  dataSource: DataSource,
  pageTokens: PageTokenCodec,
  live: LiveStreams,
  mailboxes: MailboxService,
): LiveMail {
  return {
    live,
    mailboxes,
    snapshots: new MailboxSnapshots(new MailboxStore(dataSource, pageTokens)),
    changes: new EmailChanges(live),
  };
}

type LiveMailHandlers = Pick<commsV1.EmailServiceServer, 'watchMailbox' | 'getEmailChanges'>;
type Response = commsV1.WatchMailboxResponse;

/** WatchMailbox and GetEmailChanges of nexus.comms.v1.EmailService (docs/comms.md, Live mail). */
export function liveMailHandlers(
  rpc: RpcKit,
  { live, mailboxes, snapshots, changes }: LiveMail,
): LiveMailHandlers {
  return {
    watchMailbox: rpc.serverStream(
      'WatchMailbox',
      async (call: ServerWritableStream<commsV1.WatchMailboxRequest, Response>, ctx) => {
        const caller = ctx.caller;
        const { cursor, mailboxId } = validate(watchMailboxSchema, call.request);
        const selection: MailSelection = { ownerId: caller.userId, mailboxId };
        await live.serve(call, ctx, {
          cursor,
          // Another user's mailbox, or none: NOT_FOUND, as GetMailbox.
          opened: async () => {
            if (mailboxId) await mailboxes.getOwned(caller.userId, mailboxId);
          },
          selects: (event) => {
            if (!selectsMail(event, selection)) return false;
            // Starts reading the counts now, so the changes delivered
            // together are counted in one batch for every stream.
            void snapshots.of(event).catch(() => undefined);
            return true;
          },
          itemFor: (event, itemCursor) => mailItem(event, itemCursor, selection, snapshots),
          caughtUp: (upTo) => ({ verb: 'caught_up', cursor: upTo, actorId: '', mailboxes: [] }),
        });
      },
    ),

    getEmailChanges: rpc.unary(
      'GetEmailChanges',
      async (request: commsV1.GetEmailChangesRequest, ctx) => {
        const { sinceState, maxChanges } = validate(getEmailChangesSchema, request);
        return changes.since(ctx.caller, sinceState, maxChanges);
      },
    ),
  };
}

/**
 * The item of one of the caller's changes. The owner of a copy or mailbox
 * never changes and a copy is only ever its owner's, so what selectsMail
 * let through is theirs to Get; the one access change is the watched
 * mailbox's deletion, which ends the stream (NOT_FOUND).
 */
async function mailItem(
  event: PlatformEvent,
  cursor: string,
  selection: MailSelection,
  snapshots: MailboxSnapshots,
): Promise<Response> {
  const base = {
    cursor,
    changeTime: event.time,
    actorId: event.data.actor ?? '',
  };
  const current = await snapshots.of(event);
  const id = resourceOf(event)?.id ?? '';
  if (event.topic !== EMAIL_TOPIC) {
    if (selection.mailboxId && !event.data.after) throw KitError.notFound('mailbox', id);
    const mailbox = current.get(id) ?? commsV1.Mailbox.fromJSON(resourceOf(event));
    return {
      ...base,
      verb: verbOf(event),
      resource: { $case: 'mailbox', value: mailbox },
      mailboxes: [],
    };
  }
  const touched = selection.mailboxId ? [selection.mailboxId] : mailboxesTouched(event);
  return {
    ...base,
    // An erased copy (DeleteForever) is `destroyed`: `deleted` is the move to the trash.
    verb: event.data.after ? verbOf(event) : 'destroyed',
    resource: { $case: 'email', value: commsV1.Email.fromJSON(resourceOf(event)) },
    mailboxes: touched.flatMap((mailboxId) => {
      const mailbox = current.get(mailboxId);
      return mailbox && mailbox.ownerId === selection.ownerId ? [mailbox] : [];
    }),
  };
}
