import { defineAggregate, type JsonObject } from '@nexus/db';
import { contentV1 } from '@nexus/proto';
import type { CommentEntity } from './comment.entity';
import { toCommentMessage } from './comment.mapping';

/**
 * Events on `nexus.content.document-comment` carry the API's Comment message:
 * created, updated (text), deleted, resolved and reopened (a thread's first
 * comment), and `mentioned` (the common Mention, one per mentioned user, no text).
 */
export const commentAggregate = defineAggregate<CommentEntity>({
  service: 'content',
  name: 'document-comment',
  toResource: (comment) => contentV1.Comment.toJSON(toCommentMessage(comment)) as JsonObject,
});
