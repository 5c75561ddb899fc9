import type { contentV1 } from '@nexus/proto';
import type { FileEntity } from './file.entity';
import type { LinkShareEntity } from './link-share.entity';

/** The API's view of a link share: never its token or password. */
export function toLinkShareMessage(link: LinkShareEntity): contentV1.LinkShare {
  return {
    id: link.id,
    fileId: link.fileId,
    createdBy: link.createdBy,
    createTime: link.createdAt,
    expireTime: link.expiresAt ?? undefined,
    passwordProtected: link.passwordProtected,
    downloadLimit: link.downloadLimit ?? '0',
    downloadCount: String(link.downloadCount),
  };
}

/** What a link shows of its file to whoever holds it: no owner, no shares. */
export function toSharedFileMessage(file: FileEntity, link: LinkShareEntity): contentV1.SharedFile {
  return {
    name: file.name,
    mimeType: file.mimeType,
    sizeBytes: String(file.sizeBytes),
    sha256: file.sha256,
    updateTime: file.updatedAt,
    expireTime: link.expiresAt ?? undefined,
    downloadsRemaining:
      link.downloadLimit === null
        ? '-1'
        : String(BigInt(link.downloadLimit) - BigInt(link.downloadCount)),
  };
}
