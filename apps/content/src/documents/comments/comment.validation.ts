import { z } from 'zod';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import { etag, optionalUuid, requestId, required, uuid } from '../../validation';
import type { CommentAnchor } from './comment.entity';

/** Request schemas of the comment RPCs, with the messages callers see per field. */

const MAX_TEXT = 10_000;
const MAX_ANCHOR_TEXT = 1000;

const text = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);

const offset = z.number().int().min(0, 'must not be negative');

/**
 * The client's anchor, kept as given once it is well formed: a JSON Pointer
 * (RFC 6901: "" or "/"-separated, `~` only as `~0`/`~1`), a range that does
 * not run backwards, a bounded quote. An anchor with every field empty is none.
 */
const anchor = z
  .object({
    path: z
      .string()
      .max(MAX_ANCHOR_TEXT, `must be at most ${MAX_ANCHOR_TEXT} characters`)
      .regex(/^(\/([^~]|~[01])*)*$/, 'must be a JSON Pointer such as /blocks/3 (RFC 6901)'),
    startOffset: offset,
    endOffset: offset,
    quote: z.string().max(MAX_ANCHOR_TEXT, `must be at most ${MAX_ANCHOR_TEXT} characters`),
  })
  .refine((value) => value.endOffset >= value.startOffset, {
    message: 'must not be before start_offset',
    path: ['endOffset'],
  })
  .optional()
  .transform((value): CommentAnchor | null =>
    value && (value.path || value.quote || value.endOffset > 0) ? value : null,
  );

export const createCommentSchema = z.object({
  documentId: uuid,
  comment: z
    .object({ threadId: optionalUuid, text, anchor }, required)
    .refine((value) => !(value.threadId && value.anchor), {
      message: 'a reply has its thread’s anchor; leave it empty',
      path: ['anchor'],
    }),
  requestId,
});
export type NewComment = z.output<typeof createCommentSchema>['comment'];

export const commentIdSchema = z.object({ id: uuid });
export const commentIdEtagSchema = z.object({ id: uuid, etag });

export const listCommentsSchema = z.object({
  documentId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  threadId: optionalUuid,
});

export const COMMENT_UPDATABLE = ['text'] as const;
export const updateCommentSchema = z.object({
  comment: z.object({ id: uuid, etag, text }, required),
});
