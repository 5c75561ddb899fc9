import { validate } from '@nexus/core';
import { checkUpdateMask, type RpcKit } from '@nexus/grpc';
import type { contentV1 } from '@nexus/proto';
import { toFolderMessage, toFolderShareMessage } from './folder.mapping';
import type { FolderService } from './folder.service';
import type { FolderGrants } from './sharing';
import {
  FOLDER_UPDATABLE,
  createFolderSchema,
  fileIdSchema,
  folderIdOnlySchema,
  folderShareSchema,
  folderShareTargetSchema,
  listFoldersSchema,
  deleteFolderSchema,
  moveFolderSchema,
  updateFolderSchema,
} from './file.validation';

export interface FolderParts {
  folders: FolderService;
  folderShares: FolderGrants;
}

type FolderHandlers = Pick<
  contentV1.FileServiceServer,
  | 'createFolder'
  | 'getFolder'
  | 'listFolders'
  | 'updateFolder'
  | 'moveFolder'
  | 'deleteFolder'
  | 'shareFolder'
  | 'updateFolderShare'
  | 'revokeFolderShare'
  | 'listFolderShares'
>;

/** The folder RPCs of nexus.content.v1.FileService. */
export function folderServiceHandlers(rpc: RpcKit, parts: FolderParts): FolderHandlers {
  const { folders, folderShares } = parts;
  return {
    createFolder: rpc.unary('CreateFolder', async (request: contentV1.CreateFolderRequest, ctx) => {
      const { folder, requestId } = validate(createFolderSchema, request);
      return toFolderMessage(
        await folders.create(ctx.caller, folder, ctx.idempotencyKey(requestId, request)),
      );
    }),

    getFolder: rpc.unary('GetFolder', async (request: contentV1.GetFolderRequest, ctx) => {
      const { id } = validate(fileIdSchema, request);
      return toFolderMessage(await folders.get(ctx.caller, id));
    }),

    listFolders: rpc.unary('ListFolders', async (request: contentV1.ListFoldersRequest, ctx) => {
      const page = await folders.list(ctx.caller, validate(listFoldersSchema, request));
      return { folders: page.items.map(toFolderMessage), nextPageToken: page.nextPageToken };
    }),

    updateFolder: rpc.unary('UpdateFolder', async (request: contentV1.UpdateFolderRequest, ctx) => {
      checkUpdateMask(request.updateMask, FOLDER_UPDATABLE);
      const { folder } = validate(updateFolderSchema, request);
      return toFolderMessage(await folders.rename(ctx.caller, folder.id, folder.etag, folder.name));
    }),

    moveFolder: rpc.unary('MoveFolder', async (request: contentV1.MoveFolderRequest, ctx) => {
      const { id, parentId, etag } = validate(moveFolderSchema, request);
      return toFolderMessage(await folders.move(ctx.caller, id, parentId, etag));
    }),

    deleteFolder: rpc.unary('DeleteFolder', async (request: contentV1.DeleteFolderRequest, ctx) => {
      const { id, etag } = validate(deleteFolderSchema, request);
      await folders.delete(ctx.caller, id, etag);
      return {};
    }),

    shareFolder: rpc.unary('ShareFolder', async (request: contentV1.ShareFolderRequest, ctx) => {
      const { folderId, userId, role } = validate(folderShareSchema, request);
      return toFolderShareMessage(
        await folderShares.share(ctx.caller, folderId, userId, role, ctx.deadline),
      );
    }),

    updateFolderShare: rpc.unary(
      'UpdateFolderShare',
      async (request: contentV1.UpdateFolderShareRequest, ctx) => {
        const { folderId, userId, role } = validate(folderShareSchema, request);
        return toFolderShareMessage(await folderShares.update(ctx.caller, folderId, userId, role));
      },
    ),

    revokeFolderShare: rpc.unary(
      'RevokeFolderShare',
      async (request: contentV1.RevokeFolderShareRequest, ctx) => {
        const { folderId, userId } = validate(folderShareTargetSchema, request);
        await folderShares.revoke(ctx.caller, folderId, userId);
        return {};
      },
    ),

    listFolderShares: rpc.unary(
      'ListFolderShares',
      async (request: contentV1.ListFolderSharesRequest, ctx) => {
        const { folderId } = validate(folderIdOnlySchema, request);
        return {
          shares: (await folderShares.list(ctx.caller, folderId)).map(toFolderShareMessage),
        };
      },
    ),
  };
}
