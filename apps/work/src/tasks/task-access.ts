import type { EntityManager } from 'typeorm';
import { KitError, isAdmin, type Principal } from '@nexus/core';
import { readById } from '@nexus/db';
import { checkProjectAccess, type ProjectAction } from '../projects/project-access';
import { projectFor, roleOf } from '../projects/project.store';
import type { MemberRole } from '../shared/work-types';
import { TaskEntity } from './task.entity';

/** What a non-member is told is missing: the task, or the comment they named. */
export interface Hidden {
  resource: string;
  id: string;
}

/**
 * The task a caller acts on and their role in its project. Someone who may
 * not read it (not a member, not an admin) is told it does not exist
 * (NOT_FOUND on `hidden`, default the task), as the comment and history
 * RPCs answer; then the project's rule for `action` applies (a write also
 * share-locks the live project, as every task write does: projectFor).
 */
export async function taskFor(
  manager: EntityManager,
  caller: Principal,
  taskId: string,
  action: ProjectAction,
  hidden: Hidden = { resource: 'task', id: taskId },
): Promise<{ task: TaskEntity; role: MemberRole | null }> {
  const task = await readById(manager, TaskEntity, taskId);
  if (!task) throw KitError.notFound(hidden.resource, hidden.id);
  const role = await roleOf(manager, task.projectId, caller.userId);
  if (role === null && !isAdmin(caller)) throw KitError.notFound(hidden.resource, hidden.id);
  if (action === 'read') checkProjectAccess(caller, role, action);
  else await projectFor(manager, caller, task.projectId, action);
  return { task, role };
}
