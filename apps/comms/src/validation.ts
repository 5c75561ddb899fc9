import { z } from 'zod';
import { isUuid } from '@nexus/core';

/** Request pieces every part of the comms API shares. */

export const uuid = z.string().refine(isUuid, 'must be a UUID');
export const optionalUuid = z.union([z.literal(''), uuid]).transform((value) => value || undefined);
export const requestId = optionalUuid;
export const etag = z.string().max(64, 'is not an etag');
export const attachmentIds = z
  .array(uuid)
  .max(50, 'must name at most 50 files')
  .refine((ids) => new Set(ids).size === ids.length, 'must not name a file twice');
export const idSchema = z.object({ id: uuid });
