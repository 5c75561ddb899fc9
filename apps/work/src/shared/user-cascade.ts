import type { AggregateStore, Tx } from '@nexus/db';
import type { PlatformEvent } from '@nexus/events';
import type { ProjectMemberService } from '../projects/project-member.service';
import { TaskEntity } from '../tasks/task.entity';

/** A users event that takes a user out of work: erased, or deactivated. */
export function leavingUserId(event: PlatformEvent): string | null {
  if (event.type === 'nexus.users.user.deleted') return event.subject;
  if (event.type === 'nexus.users.user.updated' && event.data.after?.isActive === false) {
    return event.subject;
  }
  return null;
}

/**
 * Unassigns the user's tasks and removes their memberships, one event per
 * changed task or project. Idempotent: a replay finds nothing left to change.
 */
export async function removeUserFromWork(
  tx: Tx,
  userId: string,
  tasks: AggregateStore<TaskEntity>,
  members: ProjectMemberService,
): Promise<void> {
  const assigned = await tx.manager.find(TaskEntity, {
    where: { assigneeId: userId },
    select: { id: true },
  });
  for (const { id } of assigned) {
    await tasks.update(tx, id, {
      apply: (task) => {
        task.assigneeId = null;
      },
    });
  }
  await members.removeEverywhere(tx, userId);
}
