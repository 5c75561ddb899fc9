import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import {
  KitError,
  findMentions,
  type IdempotencyKey,
  type Mentions,
  type Principal,
} from '@nexus/core';
import { inTransaction, type AggregateStore, type Page } from '@nexus/db';
import { checkProjectAccess } from '../projects/project-access';
import { taskFor } from '../tasks/task-access';
import { WorkError } from '../work.errors';
import { emitCommentMentions } from './task-comment-mentions';
import { type TaskCommentEntity } from './task-comment.entity';

const TEXT = 'comment.text';
const hiddenComment = (id: string) => ({ resource: 'task comment', id });

/**
 * Comments on tasks. Readable by whoever can read the task (its project's
 * members, viewers and platform guests too; admins); written by those who
 * may contribute to it (owners, managers, members; not viewers or guests).
 * A comment is edited by its author only, and deleted by its author or a
 * project owner or manager (or a platform admin). Someone who cannot read
 * the task is told the task or comment does not exist.
 */
export class TaskCommentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly comments: AggregateStore<TaskCommentEntity>,
    private readonly users: UserDirectory,
  ) {}

  async create(
    caller: Principal,
    input: { taskId: string; text: string },
    mentions: Mentions,
    key?: IdempotencyKey,
    deadline?: Date,
  ): Promise<TaskCommentEntity> {
    // Refusals first, before the users service is asked about the mentions.
    const { role } = await taskFor(this.dataSource.manager, caller, input.taskId, 'read');
    checkProjectAccess(caller, role, 'contribute');
    await this.requireActive(caller, mentions, deadline);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { task } = await taskFor(tx.manager, caller, input.taskId, 'contribute');
      const { entity, created } = await this.comments.create(
        tx,
        { taskId: input.taskId, authorId: caller.userId, text: input.text },
        key,
      );
      if (created) await emitCommentMentions(tx, entity, task.projectId, mentions, TEXT);
      return entity;
    });
  }

  async list(
    caller: Principal,
    query: { taskId: string; pageSize: number; pageToken: string },
  ): Promise<Page<TaskCommentEntity>> {
    await taskFor(this.dataSource.manager, caller, query.taskId, 'read');
    const filters = { taskId: query.taskId };
    return this.comments.list({
      filter: (qb) => qb.andWhere('e.task_id = :taskId', filters),
      filterValues: filters,
      order: { key: 'create_time_asc', property: 'createdAt', direction: 'ASC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
    });
  }

  /** The author's own comment; users it newly mentions are told. */
  async update(
    caller: Principal,
    input: { id: string; etag: string; text: string },
    mentions: Mentions,
    deadline?: Date,
  ): Promise<TaskCommentEntity> {
    const { comment: current, role } = await this.commentFor(caller, input.id);
    checkProjectAccess(caller, role, 'contribute');
    await this.requireActive(caller, mentions, deadline);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      // The project is share-locked before the comment, as task writes do.
      const { task } = await taskFor(
        tx.manager,
        caller,
        current.taskId,
        'contribute',
        hiddenComment(input.id),
      );
      let previous: Mentions = { userIds: [], everyone: false };
      let edited = false;
      const comment = await this.comments.update(tx, input.id, {
        etag: input.etag,
        authorize: (locked) => {
          if (locked.authorId !== caller.userId) {
            throw new WorkError('NOT_COMMENT_AUTHOR', 'only its author may edit a comment');
          }
        },
        apply: (locked) => {
          previous = findMentions(locked.text);
          edited = locked.text !== input.text;
          locked.text = input.text;
        },
      });
      if (edited) {
        await emitCommentMentions(tx, comment, task.projectId, mentions, TEXT, previous);
      }
      return comment;
    });
  }

  async delete(caller: Principal, id: string, etag: string): Promise<void> {
    const { comment: current } = await this.commentFor(caller, id);
    await inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { role } = await taskFor(
        tx.manager,
        caller,
        current.taskId,
        'contribute',
        hiddenComment(id),
      );
      await this.comments.delete(tx, id, {
        soft: false,
        etag,
        authorize: (locked) => {
          // Someone else's comment: project owners and managers (and admins).
          if (locked.authorId !== caller.userId) checkProjectAccess(caller, role, 'manage');
        },
      });
    });
  }

  /** The comment and the caller's role in its project; NOT_FOUND to who cannot read its task. */
  private async commentFor(caller: Principal, id: string) {
    const comment = await this.comments.find(id, { hydrate: false });
    if (!comment) throw KitError.notFound('task comment', id);
    const { role } = await taskFor(
      this.dataSource.manager,
      caller,
      comment.taskId,
      'read',
      hiddenComment(id),
    );
    return { comment, role };
  }

  private async requireActive(caller: Principal, mentions: Mentions, deadline?: Date) {
    if (mentions.userIds.length === 0) return;
    await this.users.requireActive(
      caller,
      mentions.userIds.map((id) => ({ id, field: TEXT })),
      deadline,
    );
  }
}
