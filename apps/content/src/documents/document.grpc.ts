import { validate } from '@nexus/core';
import { type RpcKit, checkUpdateMask, searchResponse } from '@nexus/grpc';
import { contentV1 } from '@nexus/proto';
import { toDocumentMessage, toShareMessage, toVersionMessage } from './document.mapping';
import type { DocumentOrder, DocumentService } from './document.service';
import type { CommentHandlers } from './comments/comment.grpc';
import type { ShareService } from './share.service';
import type { VersionService } from './version.service';
import {
  UPDATABLE,
  createDocumentSchema,
  documentIdSchema,
  idEtagSchema,
  idSchema,
  listDocumentsSchema,
  listVersionsSchema,
  restoreVersionSchema,
  searchDocumentsSchema,
  shareSchema,
  shareTargetSchema,
  updateDocumentSchema,
  updateVersionSchema,
  VERSION_UPDATABLE,
  versionSchema,
} from './document.validation';

const ORDER_OF_PROTO: Record<contentV1.DocumentOrderBy, DocumentOrder> = {
  [contentV1.DocumentOrderBy.DOCUMENT_ORDER_BY_UNSPECIFIED]: 'update_time_desc',
  [contentV1.DocumentOrderBy.DOCUMENT_ORDER_BY_UPDATE_TIME_DESC]: 'update_time_desc',
  [contentV1.DocumentOrderBy.DOCUMENT_ORDER_BY_CREATE_TIME_DESC]: 'create_time_desc',
  [contentV1.DocumentOrderBy.DOCUMENT_ORDER_BY_TITLE_ASC]: 'title_asc',
  [contentV1.DocumentOrderBy.UNRECOGNIZED]: 'update_time_desc',
};

/** nexus.content.v1.DocumentService: decode, validate, call the domain, encode. */
export function documentServiceHandlers(
  rpc: RpcKit,
  documents: DocumentService,
  shares: ShareService,
  versions: VersionService,
  comments: CommentHandlers,
): Omit<contentV1.DocumentServiceServer, 'watchDocument'> {
  return {
    createDocument: rpc.unary(
      'CreateDocument',
      async (request: contentV1.CreateDocumentRequest, ctx) => {
        const caller = ctx.caller;
        const { document, requestId, versionNote } = validate(createDocumentSchema, request);
        return toDocumentMessage(
          await documents.create(
            caller,
            document,
            versionNote,
            ctx.idempotencyKey(requestId, request),
          ),
        );
      },
    ),

    getDocument: rpc.unary('GetDocument', async (request: contentV1.GetDocumentRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(idSchema, request);
      return toDocumentMessage(await documents.get(caller, id));
    }),

    listDocuments: rpc.unary(
      'ListDocuments',
      async (request: contentV1.ListDocumentsRequest, ctx) => {
        const caller = ctx.caller;
        const query = validate(listDocumentsSchema, request);
        const page = await documents.list(caller, {
          filters: {
            kind: query.kind,
            ownerId: query.ownerId,
            sharedWithMe: query.sharedWithMe,
            titlePrefix: query.titlePrefix,
            updatedAfter: query.updateTimeAfter,
            updatedBefore: query.updateTimeBefore,
          },
          order: ORDER_OF_PROTO[query.orderBy],
          pageSize: query.pageSize,
          pageToken: query.pageToken,
          includeTotal: query.includeTotalSize,
          showDeleted: query.showDeleted,
        });
        return {
          documents: page.items.map(toDocumentMessage),
          nextPageToken: page.nextPageToken,
          totalSize: page.totalSize ?? 0,
        };
      },
    ),

    searchDocuments: rpc.unary(
      'SearchDocuments',
      async (request: contentV1.SearchDocumentsRequest, ctx) => {
        const page = await documents.search(ctx.caller, validate(searchDocumentsSchema, request));
        return searchResponse(page, (item, snippet) => ({
          document: toDocumentMessage(item),
          snippet,
        }));
      },
    ),

    updateDocument: rpc.unary(
      'UpdateDocument',
      async (request: contentV1.UpdateDocumentRequest, ctx) => {
        const caller = ctx.caller;
        const paths = checkUpdateMask(request.updateMask, UPDATABLE);
        const { document, versionNote } = validate(updateDocumentSchema(paths), request);
        return toDocumentMessage(
          await documents.update(caller, document.id, document.etag, paths, document, versionNote),
        );
      },
    ),

    deleteDocument: rpc.unary(
      'DeleteDocument',
      async (request: contentV1.DeleteDocumentRequest, ctx) => {
        const caller = ctx.caller;
        const { id, etag } = validate(idEtagSchema, request);
        return toDocumentMessage(await documents.delete(caller, id, etag));
      },
    ),

    undeleteDocument: rpc.unary(
      'UndeleteDocument',
      async (request: contentV1.UndeleteDocumentRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(idSchema, request);
        return toDocumentMessage(await documents.undelete(caller, id));
      },
    ),

    purgeDocument: rpc.unary(
      'PurgeDocument',
      async (request: contentV1.PurgeDocumentRequest, ctx) => {
        const caller = ctx.caller;
        const { id, etag } = validate(idEtagSchema, request);
        await documents.purge(caller, id, etag);
        return {};
      },
    ),

    listDocumentVersions: rpc.unary(
      'ListDocumentVersions',
      async (request: contentV1.ListDocumentVersionsRequest, ctx) => {
        const caller = ctx.caller;
        const { documentId, pageSize, pageToken } = validate(listVersionsSchema, request);
        const page = await versions.list(caller, documentId, pageSize, pageToken);
        return { versions: page.items.map(toVersionMessage), nextPageToken: page.nextPageToken };
      },
    ),

    getDocumentVersion: rpc.unary(
      'GetDocumentVersion',
      async (request: contentV1.GetDocumentVersionRequest, ctx) => {
        const caller = ctx.caller;
        const { documentId, number } = validate(versionSchema, request);
        return toVersionMessage(await versions.get(caller, documentId, number));
      },
    ),

    restoreDocumentVersion: rpc.unary(
      'RestoreDocumentVersion',
      async (request: contentV1.RestoreDocumentVersionRequest, ctx) => {
        const caller = ctx.caller;
        const { documentId, number, etag } = validate(restoreVersionSchema, request);
        return toDocumentMessage(await documents.restoreVersion(caller, documentId, number, etag));
      },
    ),

    updateDocumentVersion: rpc.unary(
      'UpdateDocumentVersion',
      async (request: contentV1.UpdateDocumentVersionRequest, ctx) => {
        checkUpdateMask(request.updateMask, VERSION_UPDATABLE);
        const { version } = validate(updateVersionSchema, request);
        return toVersionMessage(
          await versions.setKeepForever(
            ctx.caller,
            version.documentId,
            version.number,
            version.keepForever,
          ),
        );
      },
    ),

    ...comments,

    shareDocument: rpc.unary(
      'ShareDocument',
      async (request: contentV1.ShareDocumentRequest, ctx) => {
        const caller = ctx.caller;
        const { documentId, userId, role } = validate(shareSchema, request);
        return toShareMessage(await shares.share(caller, documentId, userId, role, ctx.deadline));
      },
    ),

    updateShare: rpc.unary('UpdateShare', async (request: contentV1.UpdateShareRequest, ctx) => {
      const caller = ctx.caller;
      const { documentId, userId, role } = validate(shareSchema, request);
      return toShareMessage(await shares.update(caller, documentId, userId, role));
    }),

    revokeShare: rpc.unary('RevokeShare', async (request: contentV1.RevokeShareRequest, ctx) => {
      const caller = ctx.caller;
      const { documentId, userId } = validate(shareTargetSchema, request);
      await shares.revoke(caller, documentId, userId);
      return {};
    }),

    listShares: rpc.unary('ListShares', async (request: contentV1.ListSharesRequest, ctx) => {
      const caller = ctx.caller;
      const { documentId } = validate(documentIdSchema, request);
      return { shares: (await shares.list(caller, documentId)).map(toShareMessage) };
    }),
  };
}
