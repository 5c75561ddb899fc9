import type { DataSource } from 'typeorm';
import { KitError, type Principal } from '@nexus/core';
import { inTransaction, type AggregateStore } from '@nexus/db';
import { projectFor } from '../projects/project.store';
import { WorkError } from '../work.errors';
import { cycleThrough, lockDependencyGraph } from './dependency-graph';
import { TaskDependencyEntity } from './task-dependency.entity';
import type { TaskEntity } from './task.entity';

/**
 * "Task blocked by blocker", across projects: contributing to the blocked
 * task's project and reading the blocker's. A dependency is part of the
 * blocked task: adding or removing one is one `updated` event of that task.
 */
export class TaskDependencyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tasks: AggregateStore<TaskEntity>,
  ) {}

  async add(caller: Principal, taskId: string, blockerId: string): Promise<TaskEntity> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const task = await this.tasks.find(taskId, { manager: tx.manager, hydrate: false });
      const blocker = await this.tasks.find(blockerId, { manager: tx.manager, hydrate: false });
      if (!task) throw KitError.notFound('task', taskId);
      if (!blocker) throw KitError.notFound('task', blockerId);
      await projectFor(tx.manager, caller, task.projectId, 'contribute');
      if (blocker.projectId !== task.projectId) {
        await projectFor(tx.manager, caller, blocker.projectId, 'read');
      }
      await lockDependencyGraph(tx.manager);
      return this.tasks.update(tx, taskId, {
        apply: async (locked) => {
          if (locked.blockedByTaskIds?.includes(blockerId)) {
            throw new WorkError(
              'DEPENDENCY_EXISTS',
              `task ${taskId} is already blocked by ${blockerId}`,
            );
          }
          const cycle = await cycleThrough(tx.manager, taskId, blockerId);
          if (cycle) {
            throw new WorkError(
              'DEPENDENCY_CYCLE',
              `task ${taskId} cannot be blocked by ${blockerId}: that would form the cycle ${cycle.join(' -> ')} (each blocked by the next)`,
              [],
              { cycle: cycle.join(',') },
            );
          }
          await tx.manager.insert(TaskDependencyEntity, { taskId, blockerId });
          locked.blockedByTaskIds = [...(locked.blockedByTaskIds ?? []), blockerId];
        },
      });
    });
  }

  async remove(caller: Principal, taskId: string, blockerId: string): Promise<TaskEntity> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const task = await this.tasks.get(taskId, { manager: tx.manager, hydrate: false });
      await projectFor(tx.manager, caller, task.projectId, 'contribute');
      return this.tasks.update(tx, taskId, {
        apply: async (locked) => {
          const result = await tx.manager.delete(TaskDependencyEntity, { taskId, blockerId });
          if (!result.affected) {
            throw new WorkError(
              'DEPENDENCY_NOT_FOUND',
              `task ${taskId} is not blocked by ${blockerId}`,
            );
          }
          locked.blockedByTaskIds = locked.blockedByTaskIds?.filter((id) => id !== blockerId);
        },
      });
    });
  }
}
