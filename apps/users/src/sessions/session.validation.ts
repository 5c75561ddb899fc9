import { z } from 'zod';
import { idSchema, pageSizeSchema, pageTokenSchema, uuid } from '@nexus/grpc';

/** Request schemas of the session RPCs, with the messages callers see per field. */

/** 32 random bytes in base64url are 43 characters; anything far longer is not ours. */
const refreshToken = z.string().max(128, 'is not a refresh token');

export const refreshSessionSchema = z.object({
  refreshToken: refreshToken.min(1, 'is required'),
});

export const signOutSchema = z.object({ refreshToken });

export const userIdSchema = z.object({ userId: uuid });

export const listSessionsSchema = z.object({
  userId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  showEnded: z.boolean(),
});

export { idSchema };
