import { validate } from '@nexus/core';
import { type RpcKit, checkUpdateMask } from '@nexus/grpc';
import type { contentV1 } from '@nexus/proto';
import { toCommentMessage } from './comment.mapping';
import type { CommentService } from './comment.service';
import {
  COMMENT_UPDATABLE,
  commentIdEtagSchema,
  commentIdSchema,
  createCommentSchema,
  listCommentsSchema,
  updateCommentSchema,
} from './comment.validation';

export type CommentHandlers = Pick<
  contentV1.DocumentServiceServer,
  | 'createComment'
  | 'getComment'
  | 'listComments'
  | 'updateComment'
  | 'deleteComment'
  | 'resolveComment'
  | 'reopenComment'
>;

/** The comment RPCs of nexus.content.v1.DocumentService: decode, validate, call the domain, encode. */
export function commentHandlers(rpc: RpcKit, comments: CommentService): CommentHandlers {
  return {
    createComment: rpc.unary(
      'CreateComment',
      async (request: contentV1.CreateCommentRequest, ctx) => {
        const { documentId, comment, requestId } = validate(createCommentSchema, request);
        return toCommentMessage(
          await comments.create(
            ctx.caller,
            documentId,
            comment,
            ctx.idempotencyKey(requestId, request),
            ctx.deadline,
          ),
        );
      },
    ),

    getComment: rpc.unary('GetComment', async (request: contentV1.GetCommentRequest, ctx) => {
      const { id } = validate(commentIdSchema, request);
      return toCommentMessage(await comments.get(ctx.caller, id));
    }),

    listComments: rpc.unary('ListComments', async (request: contentV1.ListCommentsRequest, ctx) => {
      const page = await comments.list(ctx.caller, validate(listCommentsSchema, request));
      return { comments: page.items.map(toCommentMessage), nextPageToken: page.nextPageToken };
    }),

    updateComment: rpc.unary(
      'UpdateComment',
      async (request: contentV1.UpdateCommentRequest, ctx) => {
        checkUpdateMask(request.updateMask, COMMENT_UPDATABLE);
        const { comment } = validate(updateCommentSchema, request);
        return toCommentMessage(
          await comments.update(ctx.caller, comment.id, comment.etag, comment.text, ctx.deadline),
        );
      },
    ),

    deleteComment: rpc.unary(
      'DeleteComment',
      async (request: contentV1.DeleteCommentRequest, ctx) => {
        const { id, etag } = validate(commentIdEtagSchema, request);
        await comments.delete(ctx.caller, id, etag);
        return {};
      },
    ),

    resolveComment: rpc.unary(
      'ResolveComment',
      async (request: contentV1.ResolveCommentRequest, ctx) => {
        const { id, etag } = validate(commentIdEtagSchema, request);
        return toCommentMessage(await comments.setResolved(ctx.caller, id, etag, true));
      },
    ),

    reopenComment: rpc.unary(
      'ReopenComment',
      async (request: contentV1.ReopenCommentRequest, ctx) => {
        const { id, etag } = validate(commentIdEtagSchema, request);
        return toCommentMessage(await comments.setResolved(ctx.caller, id, etag, false));
      },
    ),
  };
}
