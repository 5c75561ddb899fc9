import { attemptCountEntity } from '@nexus/db';
import { CommentEntity } from './documents/comments/comment.entity';
import { AttachmentGrantEntity } from './attachment-grants/attachment-grant.entity';
import { DocumentShareEntity } from './documents/document-share.entity';
import { DocumentVersionEntity } from './documents/document-version.entity';
import { DocumentEntity } from './documents/document.entity';
import { BlobReleaseEntity } from './files/blob-release.entity';
import { FileShareEntity } from './files/file-share.entity';
import { FileEntity } from './files/file.entity';
import { FolderShareEntity } from './files/folder-share.entity';
import { FolderEntity } from './files/folder.entity';
import { LinkShareEntity } from './files/link-share.entity';
import { MIGRATIONS } from './migrations';

/** Wrong password attempts per link share, keyed by the link's id; the kit's AttemptThrottle. */
export const LINK_PASSWORD_THROTTLES = 'link_password_throttles';

/** The content schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'content',
  entities: [
    DocumentEntity,
    DocumentVersionEntity,
    DocumentShareEntity,
    CommentEntity,
    FileEntity,
    FileShareEntity,
    FolderEntity,
    FolderShareEntity,
    LinkShareEntity,
    attemptCountEntity(LINK_PASSWORD_THROTTLES),
    BlobReleaseEntity,
    AttachmentGrantEntity,
  ],
  migrations: MIGRATIONS,
};
