import { etagOf } from '@nexus/db';
import type { contentV1 } from '@nexus/proto';
import type { CommentEntity } from './comment.entity';

export function toCommentMessage(comment: CommentEntity): contentV1.Comment {
  return {
    id: comment.id,
    documentId: comment.documentId,
    threadId: comment.threadId ?? comment.id,
    authorId: comment.authorId,
    text: comment.text,
    anchor: comment.anchor ?? undefined,
    resolveTime: comment.resolvedAt ?? undefined,
    resolvedBy: comment.resolvedBy ?? '',
    createTime: comment.createdAt,
    updateTime: comment.updatedAt,
    etag: etagOf(comment),
  };
}
