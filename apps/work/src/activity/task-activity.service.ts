import type { DataSource } from 'typeorm';
import type { Principal } from '@nexus/core';
import type { Page, PageTokenCodec } from '@nexus/db';
import { taskFor } from '../tasks/task-access';
import type { TaskActivityEntity } from './task-activity.entity';
import { listActivity } from './task-activity.store';

/** A task's history, for whoever can read the task (NOT_FOUND to anyone else). */
export class TaskActivityService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pageTokens: PageTokenCodec,
  ) {}

  async list(
    caller: Principal,
    query: { taskId: string; pageSize: number; pageToken: string },
  ): Promise<Page<TaskActivityEntity>> {
    await taskFor(this.dataSource.manager, caller, query.taskId, 'read');
    return listActivity(this.dataSource.manager, this.pageTokens, query);
  }
}
