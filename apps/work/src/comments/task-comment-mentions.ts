import type { Mentions } from '@nexus/core';
import { queryPrepared, type Tx } from '@nexus/db';
import { WorkError } from '../work.errors';
import { taskCommentAggregate } from './task-comment.aggregate';
import type { TaskCommentEntity } from './task-comment.entity';

const MEMBERS_SQL = `SELECT user_id FROM "work"."project_members" WHERE project_id = $1`;

/**
 * The `mentioned` events of a comment: one per mentioned user, never the
 * author, and after an edit only those the text before it (`previous`) did
 * not mention already. Who can read a task is its project's members, so
 * `<!room>` means every member, and a `<@user>` who is not one is refused
 * (MENTIONED_USER_CANNOT_READ on `field`: the writer can see the member
 * list, so the refusal tells them nothing new, and a mention nobody would
 * receive is not silently lost). Platform admins read every task but are
 * mentioned as members like anyone else: work does not know another
 * user's platform role.
 */
export async function emitCommentMentions(
  tx: Tx,
  comment: TaskCommentEntity,
  projectId: string,
  mentions: Mentions,
  field: string,
  previous: Mentions = { userIds: [], everyone: false },
): Promise<void> {
  if (mentions.userIds.length === 0 && !mentions.everyone) return;
  const rows = await queryPrepared<{ user_id: string }>(tx.manager, MEMBERS_SQL, [projectId]);
  const members = new Set(rows.map((row) => row.user_id));
  // A user the text mentioned before the edit and who has left since does not block the edit.
  const outsiders = mentions.userIds.filter(
    (userId) => !members.has(userId) && !previous.userIds.includes(userId),
  );
  if (outsiders.length > 0) {
    throw new WorkError(
      'MENTIONED_USER_CANNOT_READ',
      `mentioned user(s) ${outsiders.join(', ')} cannot read the task: not members of its project`,
      outsiders.map((userId) => ({
        field,
        description: `user ${userId} is not a member of the project and cannot read the task`,
        reason: 'MENTIONED_USER_CANNOT_READ',
      })),
    );
  }
  const reached = (of: Mentions) => new Set([...of.userIds, ...(of.everyone ? members : [])]);
  const told = reached(previous);
  const createTime = comment.updatedAt.toISOString();
  await tx.emitMentions(
    taskCommentAggregate,
    [...reached(mentions)]
      .filter((userId) => userId !== comment.authorId && !told.has(userId))
      .map((userId) => ({
        userId,
        resourceType: 'task-comment',
        resourceId: comment.id,
        parentId: comment.taskId,
        actorId: tx.actor,
        createTime,
      })),
  );
}
