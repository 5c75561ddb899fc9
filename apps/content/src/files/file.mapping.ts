import { etagOf } from '@nexus/db';
import type { contentV1 } from '@nexus/proto';
import type { FileEntity } from './file.entity';

/** The API's view of a file. */
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
  };
}
