import { etagOf } from '@nexus/db';
import type { contentV1 } from '@nexus/proto';
import { SHARE_ROLE_TO_PROTO } from '../documents/document.mapping';
import type { FolderShareEntity } from './folder-share.entity';
import type { FolderEntity } from './folder.entity';

export function toFolderShareMessage(share: FolderShareEntity): contentV1.FolderShare {
  return {
    folderId: share.folderId,
    userId: share.userId,
    role: SHARE_ROLE_TO_PROTO[share.role],
    grantedBy: share.grantedBy ?? '',
    createTime: share.createdAt,
    updateTime: share.updatedAt,
  };
}

/** The API's view of a folder; `shares` must have been loaded (the folders' store does). */
export function toFolderMessage(folder: FolderEntity): contentV1.Folder {
  return {
    id: folder.id,
    name: folder.name,
    parentId: folder.parentId ?? '',
    ownerId: folder.ownerId,
    shares: [...(folder.shares ?? [])]
      .sort((a, b) => a.userId.localeCompare(b.userId))
      .map(toFolderShareMessage),
    createTime: folder.createdAt,
    updateTime: folder.updatedAt,
    etag: etagOf(folder),
  };
}
