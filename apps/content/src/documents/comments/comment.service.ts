import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import { KitError, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type Page } from '@nexus/db';
import { ContentError } from '../../content.errors';
import type { DocumentEntity } from '../document.entity';
import { commentAggregate } from './comment.aggregate';
import { checkAuthor, checkComment, checkDelete, commentRightsOf } from './comment-access';
import type { CommentEntity } from './comment.entity';
import { mentionRecords, newMentions } from './comment-mentions';
import type { CommentStore } from './comment.store';
import type { NewComment } from './comment.validation';

/** Comments' rules: every write is one transaction with its events (mentions included). */
export class CommentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly documents: AggregateStore<DocumentEntity>,
    private readonly comments: AggregateStore<CommentEntity>,
    private readonly store: CommentStore,
    private readonly directory: UserDirectory,
  ) {}

  /** Starts a thread, or replies to one (naming any comment of it answers its thread). */
  async create(
    caller: Principal,
    documentId: string,
    input: NewComment,
    key: IdempotencyKey | undefined,
    deadline: Date | undefined,
  ): Promise<CommentEntity> {
    const { document, rights } = await this.readable(caller, documentId);
    checkComment(caller, document, rights);
    let threadId: string | null = null;
    if (input.threadId) {
      const thread = await this.comments.find(input.threadId);
      if (!thread || thread.documentId !== documentId) {
        throw new ContentError(
          'NOT_A_THREAD',
          `document ${documentId} has no comment ${input.threadId}`,
          [
            {
              field: 'comment.thread_id',
              description: 'is not a comment of this document',
              reason: 'NOT_FOUND',
            },
          ],
        );
      }
      threadId = thread.threadId ?? thread.id;
    }
    // Asked before the transaction: no lock is held across a network call.
    const mentioned = await newMentions(this.directory, caller, document, input.text, '', deadline);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { entity, created } = await this.comments.create(
        tx,
        {
          documentId,
          threadId,
          authorId: caller.userId,
          text: input.text,
          anchor: input.anchor,
          resolvedAt: null,
          resolvedBy: null,
        },
        key,
        {
          authorizeReplay: async () => {
            await this.readable(caller, documentId);
          },
        },
      );
      if (created) await tx.emitMentions(commentAggregate, mentionRecords(entity, mentioned));
      return entity;
    });
  }

  async get(caller: Principal, id: string): Promise<CommentEntity> {
    const comment = await this.comments.get(id);
    await this.readable(caller, comment.documentId, id);
    return comment;
  }

  async list(
    caller: Principal,
    query: { documentId: string; threadId?: string; pageSize: number; pageToken: string },
  ): Promise<Page<CommentEntity>> {
    await this.readable(caller, query.documentId);
    return this.store.list(query);
  }

  /** The author changes the text; users it newly mentions are notified. */
  async update(
    caller: Principal,
    id: string,
    etag: string,
    text: string,
    deadline: Date | undefined,
  ): Promise<CommentEntity> {
    const current = await this.comments.get(id);
    const { document, rights } = await this.readable(caller, current.documentId, id);
    checkComment(caller, document, rights);
    checkAuthor(caller, current);
    const mentioned = await newMentions(
      this.directory,
      caller,
      document,
      text,
      current.text,
      deadline,
    );
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      let before = '';
      const comment = await this.comments.update(tx, id, {
        etag: etag || undefined,
        authorize: (locked) => checkAuthor(caller, locked),
        apply: (locked) => {
          before = locked.text;
          locked.text = text;
        },
      });
      if (before !== text)
        await tx.emitMentions(commentAggregate, mentionRecords(comment, mentioned));
      return comment;
    });
  }

  /** Erases the comment; a thread's first comment goes with its replies, one `deleted` event each. */
  async delete(caller: Principal, id: string, etag: string): Promise<void> {
    const current = await this.comments.get(id);
    const { document, rights } = await this.readable(caller, current.documentId, id);
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.comments.delete(tx, id, {
        soft: false,
        etag: etag || undefined,
        authorize: (locked) => checkDelete(caller, document, rights, locked),
        apply: async (locked) => {
          if (locked.threadId) return;
          for (const reply of await this.store.replies(locked.id, tx.manager)) {
            await this.comments.delete(tx, reply.id, { soft: false });
          }
        },
      }),
    );
  }

  /** Resolves (`resolved`) or reopens (`reopened`) a thread; already so: nothing written. */
  async setResolved(
    caller: Principal,
    id: string,
    etag: string,
    resolved: boolean,
  ): Promise<CommentEntity> {
    const current = await this.comments.get(id);
    const { document, rights } = await this.readable(caller, current.documentId, id);
    checkComment(caller, document, rights);
    if (current.threadId) {
      throw new ContentError(
        'NOT_A_THREAD',
        `comment ${id} is a reply; resolve its thread ${current.threadId}`,
      );
    }
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.comments.update(tx, id, {
        etag: etag || undefined,
        verb: resolved ? 'resolved' : 'reopened',
        apply: (thread) => {
          if (resolved === (thread.resolvedAt !== null)) return;
          thread.resolvedAt = resolved ? new Date() : null;
          thread.resolvedBy = resolved ? caller.userId : null;
        },
      }),
    );
  }

  /**
   * The comment's document with the caller's rights on it; NOT_FOUND (of
   * the comment when `commentId` is given) for a caller who cannot read it.
   */
  private async readable(caller: Principal, documentId: string, commentId?: string) {
    const document = await this.documents.find(documentId, { withDeleted: true });
    const rights = document ? commentRightsOf(caller, document) : undefined;
    if (!document || !rights || rights.access === 'none') {
      throw commentId
        ? KitError.notFound('comment', commentId)
        : KitError.notFound('document', documentId);
    }
    return { document, rights };
  }
}
