import type { ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { KitError, validate } from '@nexus/core';
import { type CallContext, type RpcKit, checkUpdateMask, searchResponse } from '@nexus/grpc';
import { contentV1 } from '@nexus/proto';
import { ContentError } from '../content.errors';
import { send } from './stream-send';
import type { FileTrash } from './file-trash';
import { toFileMessage, toFileShareMessage } from './file.mapping';
import type { FileOrder, FileService } from './file.service';
import { folderServiceHandlers, type FolderParts } from './folder.grpc';
import { linkShareHandlers } from './link-share.grpc';
import type { LinkShareService } from './link-share.service';
import type { FileGrants } from './sharing';
import {
  UPDATABLE,
  batchGetFilesSchema,
  deleteFileSchema,
  fileIdOnlySchema,
  fileIdSchema,
  fileShareSchema,
  fileShareTargetSchema,
  listFilesSchema,
  searchFilesSchema,
  updateFileSchema,
  uploadMetadataSchema,
} from './file.validation';

const ORDER_OF_PROTO: Record<contentV1.FileOrderBy, FileOrder> = {
  [contentV1.FileOrderBy.FILE_ORDER_BY_UNSPECIFIED]: 'create_time_desc',
  [contentV1.FileOrderBy.FILE_ORDER_BY_CREATE_TIME_DESC]: 'create_time_desc',
  [contentV1.FileOrderBy.FILE_ORDER_BY_CREATE_TIME_ASC]: 'create_time_asc',
  [contentV1.FileOrderBy.FILE_ORDER_BY_NAME_ASC]: 'name_asc',
  [contentV1.FileOrderBy.FILE_ORDER_BY_SIZE_DESC]: 'size_desc',
  [contentV1.FileOrderBy.UNRECOGNIZED]: 'create_time_desc',
};

/** What the FileService RPCs call. */
export interface FileParts extends FolderParts {
  files: FileService;
  trash: FileTrash;
  fileShares: FileGrants;
  links: LinkShareService;
}

/** nexus.content.v1.FileService: decode, validate, call the domain, encode. */
export function fileServiceHandlers(
  rpc: RpcKit,
  parts: FileParts,
  maxFileBytes: number,
): contentV1.FileServiceServer {
  const { files, trash, fileShares } = parts;
  const metadataSchema = uploadMetadataSchema(maxFileBytes);
  return {
    ...folderServiceHandlers(rpc, parts),
    ...linkShareHandlers(rpc, parts.links),
    uploadFile: rpc.clientStream(
      'UploadFile',
      async (call: ServerReadableStream<contentV1.UploadFileRequest, contentV1.File>, ctx) => {
        const caller = ctx.caller;
        const messages = call[Symbol.asyncIterator]() as AsyncIterator<contentV1.UploadFileRequest>;
        const first = await messages.next();
        const payload = first.done ? undefined : first.value.payload;
        if (payload?.$case !== 'metadata') {
          throw KitError.invalid([
            { field: 'metadata', description: 'must be the first message', reason: 'REQUIRED' },
          ]);
        }
        const { metadata } = validate(metadataSchema, { metadata: payload.value });
        // The request is the metadata and the bytes, known by their hash once received.
        const keyOf = (sha256: string) =>
          ctx.idempotencyKey(metadata.requestId, { metadata: payload.value, sha256 });
        const file = await files.upload(caller, metadata, chunksOf(messages, call), keyOf);
        return toFileMessage(file);
      },
    ),

    downloadFile: rpc.serverStream(
      'DownloadFile',
      async (
        call: ServerWritableStream<contentV1.DownloadFileRequest, contentV1.DownloadFileResponse>,
        ctx,
      ) => {
        const caller = ctx.caller;
        const { id } = validate(fileIdSchema, call.request);
        const { file, bytes } = await files.download(caller, id);
        try {
          await send(call, { payload: { $case: 'file', value: toFileMessage(file) } });
          for await (const chunk of bytes as AsyncIterable<Buffer>) {
            if (call.cancelled) break;
            await send(call, { payload: { $case: 'chunk', value: chunk } });
          }
        } finally {
          bytes.destroy();
        }
      },
    ),

    getFile: rpc.unary('GetFile', async (request: contentV1.GetFileRequest, ctx: CallContext) => {
      const caller = ctx.caller;
      const { id } = validate(fileIdSchema, request);
      return toFileMessage(await files.get(caller, id));
    }),

    batchGetFiles: rpc.unary(
      'BatchGetFiles',
      async (request: contentV1.BatchGetFilesRequest, ctx) => {
        const caller = ctx.caller;
        const { ids } = validate(batchGetFilesSchema, request);
        return { files: (await files.batchGet(caller, ids)).map(toFileMessage) };
      },
    ),

    listFiles: rpc.unary('ListFiles', async (request: contentV1.ListFilesRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listFilesSchema, request);
      const page = await files.list(caller, {
        filters: {
          ownerId: query.ownerId,
          mimeTypePrefix: query.mimeTypePrefix,
          namePrefix: query.namePrefix,
          folderId: query.folderId,
          minSizeBytes: query.minSizeBytes,
          maxSizeBytes: query.maxSizeBytes,
          createdAfter: query.createTimeAfter,
          createdBefore: query.createTimeBefore,
        },
        order: ORDER_OF_PROTO[query.orderBy],
        pageSize: query.pageSize,
        pageToken: query.pageToken,
        includeTotal: query.includeTotalSize,
        showDeleted: query.showDeleted,
      });
      return {
        files: page.items.map(toFileMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    searchFiles: rpc.unary('SearchFiles', async (request: contentV1.SearchFilesRequest, ctx) => {
      const page = await files.search(ctx.caller, validate(searchFilesSchema, request));
      return searchResponse(page, (item, snippet) => ({ file: toFileMessage(item), snippet }));
    }),

    updateFile: rpc.unary('UpdateFile', async (request: contentV1.UpdateFileRequest, ctx) => {
      const caller = ctx.caller;
      const paths = checkUpdateMask(request.updateMask, UPDATABLE);
      const { file } = validate(updateFileSchema(paths), request);
      return toFileMessage(await files.update(caller, file.id, file.etag, file));
    }),

    deleteFile: rpc.unary('DeleteFile', async (request: contentV1.DeleteFileRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(deleteFileSchema, request);
      await trash.delete(caller, id, etag);
      return {};
    }),

    undeleteFile: rpc.unary('UndeleteFile', async (request: contentV1.UndeleteFileRequest, ctx) => {
      const { id } = validate(fileIdSchema, request);
      return toFileMessage(await trash.undelete(ctx.caller, id));
    }),

    purgeFile: rpc.unary('PurgeFile', async (request: contentV1.PurgeFileRequest, ctx) => {
      const { id, etag } = validate(deleteFileSchema, request);
      await trash.purge(ctx.caller, id, etag);
      return {};
    }),

    shareFile: rpc.unary('ShareFile', async (request: contentV1.ShareFileRequest, ctx) => {
      const { fileId, userId, role } = validate(fileShareSchema, request);
      return toFileShareMessage(
        await fileShares.share(ctx.caller, fileId, userId, role, ctx.deadline),
      );
    }),

    updateFileShare: rpc.unary(
      'UpdateFileShare',
      async (request: contentV1.UpdateFileShareRequest, ctx) => {
        const { fileId, userId, role } = validate(fileShareSchema, request);
        return toFileShareMessage(await fileShares.update(ctx.caller, fileId, userId, role));
      },
    ),

    revokeFileShare: rpc.unary(
      'RevokeFileShare',
      async (request: contentV1.RevokeFileShareRequest, ctx) => {
        const { fileId, userId } = validate(fileShareTargetSchema, request);
        await fileShares.revoke(ctx.caller, fileId, userId);
        return {};
      },
    ),

    listFileShares: rpc.unary(
      'ListFileShares',
      async (request: contentV1.ListFileSharesRequest, ctx) => {
        const { fileId } = validate(fileIdOnlySchema, request);
        return { shares: (await fileShares.list(ctx.caller, fileId)).map(toFileShareMessage) };
      },
    ),
  };
}

/**
 * The chunks after the metadata message, pulled one at a time so gRPC flow
 * control holds the client back while the disk is slower than the network.
 */
async function* chunksOf(
  messages: AsyncIterator<contentV1.UploadFileRequest>,
  call: ServerReadableStream<contentV1.UploadFileRequest, contentV1.File>,
): AsyncGenerator<Buffer> {
  for (;;) {
    const next = await messages.next();
    if (next.done) break;
    const payload = next.value.payload;
    if (payload?.$case !== 'chunk') {
      throw KitError.invalid([
        { field: 'metadata', description: 'may only be sent first', reason: 'UNEXPECTED' },
      ]);
    }
    yield payload.value;
  }
  // A cancelled call ends the stream early: those bytes are not the whole file.
  if (call.cancelled) throw new ContentError('UPLOAD_INCOMPLETE', 'the upload was cancelled');
}
