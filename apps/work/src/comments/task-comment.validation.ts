import { z } from 'zod';
import { MAX_MENTIONS, findMentions, type Mentions } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import { etag, required, requestId, uuid } from '../shared/validators';
import { WorkError } from '../work.errors';

const text = z
  .string()
  .max(10_000, 'must be at most 10000 characters')
  .refine((value) => value.trim().length > 0, 'must not be empty');

export const createTaskCommentSchema = z.object({
  comment: z.object({ taskId: uuid, text }, required),
  requestId,
});

/** ListTaskComments and ListTaskActivity: one task's pages. */
export const listTaskCommentsSchema = z.object({
  taskId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
});
export const listTaskActivitySchema = listTaskCommentsSchema;

export const TASK_COMMENT_UPDATABLE = ['text'] as const;

export const updateTaskCommentSchema = z.object({
  comment: z.object({ id: uuid, etag, text }, required),
});

export const deleteTaskCommentSchema = z.object({ id: uuid, etag });

/** The mentions of a comment's text, refused past MAX_MENTIONS distinct users. */
export function mentionsOf(value: string, field: string): Mentions {
  const mentions = findMentions(value);
  if (mentions.userIds.length > MAX_MENTIONS) {
    const description = `mentions ${mentions.userIds.length} users; at most ${MAX_MENTIONS}`;
    throw new WorkError('TOO_MANY_MENTIONS', `${field} ${description}`, [
      { field, description, reason: 'TOO_MANY_MENTIONS' },
    ]);
  }
  return mentions;
}
