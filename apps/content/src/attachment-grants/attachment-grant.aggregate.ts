import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { AttachmentGrantEntity } from './attachment-grant.entity';
import { toAttachmentGrantMessage } from './attachment-grant.mapping';

/**
 * Events on `nexus.content.attachment-grant` (`created`, `deleted`) carry the
 * API's AttachmentGrant in proto3 JSON: ids and the via, nothing of the file.
 */
export const attachmentGrantAggregate = defineAggregate<AttachmentGrantEntity>({
  service: 'content',
  name: 'attachment-grant',
  toResource: (grant) =>
    contentV1.AttachmentGrant.toJSON(toAttachmentGrantMessage(grant)) as JsonObject,
});
