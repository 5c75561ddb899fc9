import { z } from 'zod';
import { uuid } from '@nexus/grpc';

/** Request pieces every part of the comms API shares, beyond the kit's. */

export { etag, idSchema, optionalUuid, requestId, uuid } from '@nexus/grpc';
export const attachmentIds = z
  .array(uuid)
  .max(50, 'must name at most 50 files')
  .refine((ids) => new Set(ids).size === ids.length, 'must not name a file twice');
