import { validate } from '@nexus/core';
import { checkUpdateMask, type RpcKit } from '@nexus/grpc';
import type { workV1 } from '@nexus/proto';
import { toTaskCommentMessage } from './task-comment.mapping';
import type { TaskCommentService } from './task-comment.service';
import {
  createTaskCommentSchema,
  deleteTaskCommentSchema,
  listTaskCommentsSchema,
  mentionsOf,
  TASK_COMMENT_UPDATABLE,
  updateTaskCommentSchema,
} from './task-comment.validation';

type CommentHandlers = Pick<
  workV1.TaskServiceServer,
  'createTaskComment' | 'listTaskComments' | 'updateTaskComment' | 'deleteTaskComment'
>;

/** The comment RPCs of nexus.work.v1.TaskService: decode, validate, call the domain, encode. */
export function taskCommentHandlers(rpc: RpcKit, comments: TaskCommentService): CommentHandlers {
  return {
    createTaskComment: rpc.unary(
      'CreateTaskComment',
      async (request: workV1.CreateTaskCommentRequest, ctx) => {
        const { comment, requestId } = validate(createTaskCommentSchema, request);
        const mentions = mentionsOf(comment.text, 'comment.text');
        return toTaskCommentMessage(
          await comments.create(
            ctx.caller,
            comment,
            mentions,
            ctx.idempotencyKey(requestId, request),
            ctx.deadline,
          ),
        );
      },
    ),

    listTaskComments: rpc.unary(
      'ListTaskComments',
      async (request: workV1.ListTaskCommentsRequest, ctx) => {
        const page = await comments.list(ctx.caller, validate(listTaskCommentsSchema, request));
        return {
          comments: page.items.map(toTaskCommentMessage),
          nextPageToken: page.nextPageToken,
        };
      },
    ),

    updateTaskComment: rpc.unary(
      'UpdateTaskComment',
      async (request: workV1.UpdateTaskCommentRequest, ctx) => {
        checkUpdateMask(request.updateMask, TASK_COMMENT_UPDATABLE);
        const { comment } = validate(updateTaskCommentSchema, request);
        const mentions = mentionsOf(comment.text, 'comment.text');
        return toTaskCommentMessage(
          await comments.update(ctx.caller, comment, mentions, ctx.deadline),
        );
      },
    ),

    deleteTaskComment: rpc.unary(
      'DeleteTaskComment',
      async (request: workV1.DeleteTaskCommentRequest, ctx) => {
        const { id, etag } = validate(deleteTaskCommentSchema, request);
        await comments.delete(ctx.caller, id, etag);
        return {};
      },
    ),
  };
}
