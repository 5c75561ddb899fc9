import { In, type EntityManager } from 'typeorm';
import { KitError, type Principal } from '@nexus/core';
import { queryPrepared, readById } from '@nexus/db';
import { decimalText } from '../shared/decimal';
import type { MemberRole } from '../shared/work-types';
import { WorkError } from '../work.errors';
import { checkProjectAccess, type ProjectAction } from './project-access';
import { ProjectMemberEntity } from './project-member.entity';
import { ProjectEntity, type ProjectProgress } from './project.entity';

/**
 * Completion and spent hours of projects, computed in one SQL pass over
 * their tasks. Cancelled tasks do not count toward completion. A task weighs
 * its estimated hours; a task without an estimate weighs the mean estimate
 * of its project's estimated tasks; with no estimates at all every task
 * weighs 1, which is completion by count.
 */
const PROGRESS_SQL = `
  WITH weighted AS (
    SELECT t.project_id, t.status, t.actual_hours,
           coalesce(t.estimated_hours,
                    avg(t.estimated_hours) FILTER (WHERE t.status <> 'cancelled') OVER (PARTITION BY t.project_id),
                    1) AS weight,
           t.estimated_hours
    FROM "work"."tasks" t
    WHERE t.project_id = ANY($1::uuid[])
  )
  SELECT project_id,
         coalesce(round(100 * sum(weight) FILTER (WHERE status = 'done')
                      / nullif(sum(weight) FILTER (WHERE status <> 'cancelled'), 0), 2), 0)::float8 AS completion,
         sum(actual_hours)::text AS spent_hours,
         coalesce(sum(estimated_hours) FILTER (WHERE status <> 'cancelled'), 0)::text AS estimated_hours
  FROM weighted
  GROUP BY project_id`;

interface ProgressRow {
  project_id: string;
  completion: number;
  spent_hours: string;
  estimated_hours: string;
}

export const NO_PROGRESS: ProjectProgress = {
  completionPercent: 0,
  spentHours: '0',
  estimatedHours: '0',
};

/** Loads members and progress onto project rows (the parts of the resource that are not columns). */
export async function hydrateProjects(
  manager: EntityManager,
  projects: ProjectEntity[],
): Promise<void> {
  if (projects.length === 0) return;
  const ids = projects.map((project) => project.id);
  // One after the other: inside a transaction both run on the same connection.
  const members = await manager.find(ProjectMemberEntity, {
    where: { projectId: In(ids) },
    order: { createdAt: 'ASC', userId: 'ASC' },
  });
  const progress = await manager.query<ProgressRow[]>(PROGRESS_SQL, [ids]);
  const progressById = new Map(progress.map((row) => [row.project_id, row]));
  for (const project of projects) {
    project.members = members.filter((member) => member.projectId === project.id);
    const row = progressById.get(project.id);
    project.progress = row
      ? {
          completionPercent: Number(row.completion),
          spentHours: decimalText(row.spent_hours),
          estimatedHours: decimalText(row.estimated_hours),
        }
      : NO_PROGRESS;
  }
}

export async function roleOf(
  manager: EntityManager,
  projectId: string,
  userId: string,
): Promise<MemberRole | null> {
  // Asked on every read and write of a task: a prepared statement of fixed text.
  const [member] = await queryPrepared<{ role: MemberRole }>(
    manager,
    `SELECT role FROM "work"."project_members" WHERE project_id = $1 AND user_id = $2`,
    [projectId, userId],
  );
  return member?.role ?? null;
}

/**
 * The project a caller reads, or whose tasks they write, after the access
 * check. Writes to its tasks also need a live project, and take a share lock
 * on its row, so a concurrent archive or completion waits for them (and they
 * for it). A write of the project itself goes through the project store,
 * whose row lock comes first, with `projectRules` as its authorize step:
 * two transactions that both held the share lock and then both asked for the
 * write lock would deadlock.
 */
export async function projectFor(
  manager: EntityManager,
  caller: Principal,
  projectId: string,
  action: ProjectAction,
): Promise<ProjectEntity> {
  const project = await readById(manager, ProjectEntity, projectId, {
    withDeleted: true,
    lock: action === 'read' ? undefined : { mode: 'pessimistic_read' },
  });
  if (!project) throw KitError.notFound('project', projectId);
  checkProjectAccess(caller, await roleOf(manager, projectId, caller.userId), action);
  if (action !== 'read') refuseArchived(project);
  return project;
}

/**
 * The rules of a write of the project itself, on the locked project with its
 * members loaded: the caller's role allows `action`, and (unless the write
 * is the restore) the project is not archived.
 */
export function projectRules(
  caller: Principal,
  action: ProjectAction,
  options: { archived?: 'refuse' | 'allow' } = {},
): (project: ProjectEntity) => void {
  return (project) => {
    const member = project.members?.find((candidate) => candidate.userId === caller.userId);
    checkProjectAccess(caller, member?.role ?? null, action);
    if (options.archived !== 'allow') refuseArchived(project);
  };
}

function refuseArchived(project: ProjectEntity): void {
  if (project.deletedAt !== null) {
    throw new WorkError('PROJECT_ARCHIVED', `project ${project.id} is archived; restore it first`);
  }
}
