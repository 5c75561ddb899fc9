import { In, type EntityManager } from 'typeorm';
import { TaskDependencyEntity } from './task-dependency.entity';
import type { TaskEntity } from './task.entity';

/** Loads the blockers of tasks (the part of the Task resource that is not a column). */
export async function hydrateTasks(manager: EntityManager, tasks: TaskEntity[]): Promise<void> {
  if (tasks.length === 0) return;
  const edges = await manager.find(TaskDependencyEntity, {
    where: { taskId: In(tasks.map((task) => task.id)) },
    select: { taskId: true, blockerId: true },
  });
  for (const task of tasks) {
    task.blockedByTaskIds = edges
      .filter((edge) => edge.taskId === task.id)
      .map((edge) => edge.blockerId);
  }
}
