import type { DataSource } from 'typeorm';
import type { Principal } from '@nexus/core';
import { decimalText } from '../shared/decimal';
import { TASK_STATUSES, type TaskStatus } from '../shared/work-types';
import { hydrateProjects, projectFor } from './project.store';

export interface ProjectStats {
  projectId: string;
  tasksByStatus: { status: TaskStatus; count: number }[];
  totalTasks: number;
  overdueTasks: number;
  estimatedHours: string;
  actualHours: string;
  completionPercent: number;
  budget: { amount: string; currencyCode: string } | null;
  spent: { amount: string; currencyCode: string } | null;
  budgetUsedPercent: number;
}

/** One pass over the project's tasks; money (hours × rate) multiplied in numeric, never in floats. */
const STATS_SQL = `
  SELECT t.status::text AS status,
         count(*)::int AS count,
         count(*) FILTER (WHERE t.due_date < (now() AT TIME ZONE 'UTC')::date
                          AND t.status NOT IN ('done', 'cancelled'))::int AS overdue,
         coalesce(sum(t.estimated_hours), 0)::text AS estimated,
         coalesce(sum(t.actual_hours), 0)::text AS actual
  FROM "work"."tasks" t
  WHERE t.project_id = $1
  GROUP BY t.status`;

const MONEY_SQL = `
  SELECT round($1::numeric * $2::numeric, 2)::text AS spent,
         coalesce(round(100 * $1::numeric * $2::numeric / nullif($3::numeric, 0), 2), 0)::float8 AS used`;

export async function projectStats(
  dataSource: DataSource,
  caller: Principal,
  projectId: string,
): Promise<ProjectStats> {
  const project = await projectFor(dataSource.manager, caller, projectId, 'read');
  await hydrateProjects(dataSource.manager, [project]);
  const rows = await dataSource.query<
    { status: TaskStatus; count: number; overdue: number; estimated: string; actual: string }[]
  >(STATS_SQL, [projectId]);
  const byStatus = new Map(rows.map((row) => [row.status, row]));
  const actual = project.progress?.spentHours ?? '0';
  const budget =
    project.budgetAmount !== null && project.budgetCurrency !== null
      ? { amount: project.budgetAmount, currencyCode: project.budgetCurrency }
      : null;
  let spent: ProjectStats['spent'] = null;
  let budgetUsedPercent = 0;
  if (project.hourlyRate !== null && budget) {
    const [money] = await dataSource.query<{ spent: string; used: number }[]>(MONEY_SQL, [
      actual,
      project.hourlyRate,
      budget.amount,
    ]);
    spent = { amount: money.spent, currencyCode: budget.currencyCode };
    budgetUsedPercent = Number(money.used);
  }
  return {
    projectId,
    tasksByStatus: TASK_STATUSES.map((status) => ({
      status,
      count: byStatus.get(status)?.count ?? 0,
    })),
    totalTasks: rows.reduce((sum, row) => sum + row.count, 0),
    overdueTasks: rows.reduce((sum, row) => sum + row.overdue, 0),
    estimatedHours: decimalText(
      rows.length === 0
        ? '0'
        : await sumDecimals(
            dataSource,
            rows.map((row) => row.estimated),
          ),
    ),
    actualHours: actual,
    completionPercent: project.progress?.completionPercent ?? 0,
    budget,
    spent,
    budgetUsedPercent,
  };
}

/** Adds decimal strings in the database, so no float rounding creeps in. */
async function sumDecimals(dataSource: DataSource, values: string[]): Promise<string> {
  const [row] = await dataSource.query<{ total: string }[]>(
    'SELECT coalesce(sum(v), 0)::text AS total FROM unnest($1::numeric[]) AS v',
    [values],
  );
  return row?.total ?? '0';
}
