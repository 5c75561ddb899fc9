import type { EntityManager } from 'typeorm';
import { queryPrepared } from '@nexus/db';
import type { TaskEntity } from './task.entity';

/** Loads the blockers of tasks (the part of the Task resource that is not a column). */
export async function hydrateTasks(manager: EntityManager, tasks: TaskEntity[]): Promise<void> {
  if (tasks.length === 0) return;
  // Every read and write of a task loads them: a prepared statement of fixed text.
  const edges = await queryPrepared<{ task_id: string; blocker_id: string }>(
    manager,
    `SELECT task_id, blocker_id FROM "work"."task_dependencies" WHERE task_id = ANY($1::uuid[])`,
    [tasks.map((task) => task.id)],
  );
  for (const task of tasks) {
    task.blockedByTaskIds = edges
      .filter((edge) => edge.task_id === task.id)
      .map((edge) => edge.blocker_id);
  }
}
