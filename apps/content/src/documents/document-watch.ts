import type { ServerWritableStream } from '@grpc/grpc-js';
import { z } from 'zod';
import { isAdmin, validate, type Principal } from '@nexus/core';
import { type RpcKit, uuid, watchCursor } from '@nexus/grpc';
import { contentV1 } from '@nexus/proto';
import type { LiveStreams } from '@nexus/runtime';
import { documentAggregate } from './document.aggregate';
import type { DocumentService } from './document.service';

export const watchDocumentSchema = z.object({ documentId: uuid, cursor: watchCursor });

type Response = contentV1.WatchDocumentResponse;

/** Whether the document names the caller: its owner, or one it is shared with. */
function names(document: contentV1.Document, caller: Principal): boolean {
  return (
    document.ownerId === caller.userId ||
    document.shares.some((share) => share.userId === caller.userId)
  );
}

/**
 * DocumentService.WatchDocument (docs/content.md, Live: WatchDocument): the
 * document's changes (new versions with their etag, shares, trash) for as
 * long as the caller may read it. Reading is GetDocument's rule. Shares are
 * part of the document, so a revoked share reaches the stream as the
 * document's `updated`; when a change no longer names the caller (and the
 * caller is no admin), the database has the last word (a replayed change may
 * predate a share GetDocument now allows), and its refusal ends the stream
 * with GetDocument's status. A purged document is gone: NOT_FOUND. A trashed
 * one stays readable, so `deleted` and `restored` are items.
 */
export function documentWatchHandlers(
  rpc: RpcKit,
  live: LiveStreams,
  documents: DocumentService,
): Pick<contentV1.DocumentServiceServer, 'watchDocument'> {
  return {
    watchDocument: rpc.serverStream(
      'WatchDocument',
      async (call: ServerWritableStream<contentV1.WatchDocumentRequest, Response>, ctx) => {
        const caller = ctx.caller;
        const { documentId, cursor } = validate(watchDocumentSchema, call.request);
        const mayRead = async () => {
          await documents.get(caller, documentId);
        };
        await live.serve(call, ctx, {
          cursor,
          opened: mayRead,
          selects: (event) =>
            event.topic === documentAggregate.topic && event.subject === documentId,
          itemFor: async (event, itemCursor): Promise<Response | null> => {
            const after = event.data.after;
            const document = after ? contentV1.Document.fromJSON(after) : null;
            if (!document || (!isAdmin(caller) && !names(document, caller))) await mayRead();
            if (!document) return null;
            return {
              verb: event.type.slice(event.topic.length + 1),
              cursor: itemCursor,
              changeTime: event.time,
              actorId: event.data.actor ?? '',
              resource: { $case: 'document', value: document },
            };
          },
          caughtUp: (upTo) => ({ verb: 'caught_up', cursor: upTo, actorId: '' }),
        });
      },
    ),
  };
}
