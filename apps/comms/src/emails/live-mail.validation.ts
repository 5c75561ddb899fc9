import { z } from 'zod';
import { watchCursor } from '@nexus/grpc';
import { optionalUuid } from '../validation';
import { DEFAULT_MAX_CHANGES, MAX_MAX_CHANGES } from './email-changes';

/** Request schemas of WatchMailbox and GetEmailChanges. */

export const watchMailboxSchema = z.object({ cursor: watchCursor, mailboxId: optionalUuid });

export const getEmailChangesSchema = z.object({
  /** A cursor by another name: decoded (INVALID_CURSOR) by the live streams. */
  sinceState: watchCursor,
  maxChanges: z
    .number()
    .int()
    .min(0, 'must not be negative')
    .max(MAX_MAX_CHANGES, `must be at most ${MAX_MAX_CHANGES}`)
    .transform((value) => value || DEFAULT_MAX_CHANGES),
});
