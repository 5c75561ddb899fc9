import { canWrite, isAdmin, type Principal } from '@nexus/core';
import type { MemberRole } from '../shared/work-types';
import { WorkError } from '../work.errors';

/**
 * What a caller does to a project or its tasks:
 * - read: see the project, its tasks, stats and time (every member, viewers too);
 * - contribute: create and update tasks, dependencies, log time (members, managers, owners);
 * - manage: change the project and its members, delete tasks (managers, owners);
 * - own: archive and restore the project (owners).
 * Admins do everything; platform guests only read.
 */
export type ProjectAction = 'read' | 'contribute' | 'manage' | 'own';

const ALLOWED: Record<ProjectAction, readonly MemberRole[]> = {
  read: ['owner', 'manager', 'member', 'viewer'],
  contribute: ['owner', 'manager', 'member'],
  manage: ['owner', 'manager'],
  own: ['owner'],
};

/** `role` is the caller's role in the project, null when not a member. */
export function checkProjectAccess(
  caller: Principal,
  role: MemberRole | null,
  action: ProjectAction,
): void {
  if (isAdmin(caller)) return;
  if (role === null)
    throw new WorkError('NOT_A_MEMBER', 'the caller is not a member of this project');
  if (action !== 'read' && !canWrite(caller)) {
    throw new WorkError('PROJECT_ROLE_REQUIRED', 'guests have read-only access');
  }
  if (!ALLOWED[action].includes(role)) {
    throw new WorkError(
      'PROJECT_ROLE_REQUIRED',
      `a project ${role} may not ${action}; this needs role ${ALLOWED[action].join(' or ')}`,
    );
  }
}

/** Any platform user but a guest may start a project. */
export function checkCreateProject(caller: Principal): void {
  if (!canWrite(caller)) {
    throw new WorkError('PROJECT_ROLE_REQUIRED', 'guests have read-only access');
  }
}
