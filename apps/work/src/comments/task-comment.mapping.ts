import { etagOf } from '@nexus/db';
import type { workV1 } from '@nexus/proto';
import type { TaskCommentEntity } from './task-comment.entity';

export function toTaskCommentMessage(comment: TaskCommentEntity): workV1.TaskComment {
  return {
    id: comment.id,
    taskId: comment.taskId,
    authorId: comment.authorId,
    text: comment.text,
    createTime: comment.createdAt,
    updateTime: comment.updatedAt,
    etag: etagOf(comment),
  };
}
