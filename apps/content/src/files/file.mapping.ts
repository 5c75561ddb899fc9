import { etagOf } from '@nexus/db';
import type { contentV1 } from '@nexus/proto';
import { SHARE_ROLE_TO_PROTO } from '../documents/document.mapping';
import type { FileShareEntity } from './file-share.entity';
import type { FileEntity } from './file.entity';

export function toFileShareMessage(share: FileShareEntity): contentV1.FileShare {
  return {
    fileId: share.fileId,
    userId: share.userId,
    role: SHARE_ROLE_TO_PROTO[share.role],
    grantedBy: share.grantedBy ?? '',
    createTime: share.createdAt,
    updateTime: share.updatedAt,
  };
}

/** The API's view of a file; `shares` must have been loaded (the files' store does). */
export function toFileMessage(file: FileEntity): contentV1.File {
  return {
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    sizeBytes: String(file.sizeBytes),
    sha256: file.sha256,
    ownerId: file.ownerId,
    isPublic: file.isPublic,
    downloadCount: String(file.downloadCount),
    createTime: file.createdAt,
    updateTime: file.updatedAt,
    etag: etagOf(file),
    folderId: file.folderId ?? '',
    shares: [...(file.shares ?? [])]
      .sort((a, b) => a.userId.localeCompare(b.userId))
      .map(toFileShareMessage),
    deleteTime: file.deletedAt ?? undefined,
    purgeTime: file.purgeAt ?? undefined,
  };
}
