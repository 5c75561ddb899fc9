import { z } from 'zod';
import { required, uuid } from '../validation';

/** Request schemas of AttachmentAccessService. */

/** How many grants one call may make: every file to every user (50 x 1000 at most). */
export const MAX_FILES = 50;
export const MAX_USERS = 1000;

const name = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be a kebab-case name such as chat-room')
  .max(40, 'must be at most 40 characters');

const distinct = (ids: string[]) => new Set(ids).size === ids.length;

const via = z.object(
  { service: name, resourceType: name, resourceId: uuid },
  { error: 'is required (service, resource_type, resource_id)' },
);
export type Via = z.output<typeof via>;

export const grantFileAccessSchema = z.object(
  {
    fileIds: z
      .array(uuid)
      .min(1, 'must name at least one file')
      .max(MAX_FILES, `must name at most ${MAX_FILES} files`)
      .refine(distinct, 'must not name a file twice'),
    userIds: z
      .array(uuid)
      .min(1, 'must name at least one user')
      .max(MAX_USERS, `must name at most ${MAX_USERS} users`)
      .refine(distinct, 'must not name a user twice'),
    via,
  },
  required,
);

export const revokeFileAccessSchema = z.object(
  {
    via,
    userIds: z
      .array(uuid)
      .max(MAX_USERS, `must name at most ${MAX_USERS} users`)
      .refine(distinct, 'must not name a user twice'),
  },
  required,
);
