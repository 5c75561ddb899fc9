import { etagOf } from '@nexus/db';
import type { workV1 } from '@nexus/proto';
import { decimalText } from '../shared/decimal';
import { PRIORITY_TO_PROTO, TASK_STATUS_TO_PROTO } from '../shared/proto-enums';
import type { TaskEntity } from './task.entity';
import type { TimeEntryEntity } from './time-entry.entity';

export function toTaskMessage(task: TaskEntity): workV1.Task {
  return {
    id: task.id,
    projectId: task.projectId,
    title: task.title,
    description: task.description,
    status: TASK_STATUS_TO_PROTO[task.status],
    priority: PRIORITY_TO_PROTO[task.priority],
    assigneeId: task.assigneeId ?? '',
    reporterId: task.reporterId,
    estimatedHours: decimalText(task.estimatedHours),
    actualHours: decimalText(task.actualHours),
    startDate: task.startDate ?? '',
    dueDate: task.dueDate ?? '',
    completeTime: task.completedAt ?? undefined,
    tags: task.tags,
    parentTaskId: task.parentTaskId ?? '',
    blockedByTaskIds: [...(task.blockedByTaskIds ?? [])].sort(),
    createTime: task.createdAt,
    updateTime: task.updatedAt,
    etag: etagOf(task),
  };
}

export function toTimeEntryMessage(entry: TimeEntryEntity): workV1.TimeEntry {
  return {
    id: entry.id,
    taskId: entry.taskId,
    userId: entry.userId,
    hours: decimalText(entry.hours),
    workDate: entry.workDate,
    note: entry.note,
    createTime: entry.createdAt,
  };
}
