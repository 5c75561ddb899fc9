import type { contentV1 } from '@nexus/proto';
import type { AttachmentGrantEntity } from './attachment-grant.entity';

/** The API's view of a grant. */
export function toAttachmentGrantMessage(grant: AttachmentGrantEntity): contentV1.AttachmentGrant {
  return {
    id: grant.id,
    fileId: grant.fileId,
    userId: grant.userId,
    via: {
      service: grant.viaService,
      resourceType: grant.viaType,
      resourceId: grant.viaId,
    },
    grantedBy: grant.grantedBy,
    createTime: grant.createdAt,
  };
}
