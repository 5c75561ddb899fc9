import { z } from 'zod';
import { calendarDate, decimal } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema, searchQuerySchema } from '@nexus/grpc';
import { workV1 } from '@nexus/proto';
import type { Priority, TaskStatus } from '../shared/work-types';
import {
  datesInOrder,
  etag,
  optionalDate,
  optionalDecimal,
  optionalUuid,
  priority,
  required,
  requestId,
  taskStatus,
  uuid,
  withDefault,
} from '../shared/validators';

const title = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500, 'must be at most 500 characters');
const description = z.string().max(20_000, 'must be at most 20000 characters');
const tags = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .min(1, 'must not be empty')
      .max(50, 'must be at most 50 characters'),
  )
  .max(20, 'must have at most 20 tags')
  .transform((values) => [...new Set(values)]);
const estimatedHours = optionalDecimal({ precision: 8, scale: 2 }, { max: '100000' });

export interface TaskFields {
  title: string;
  description: string;
  status: TaskStatus;
  priority: Priority;
  assigneeId: string | null;
  estimatedHours: string | null;
  startDate: string | null;
  dueDate: string | null;
  tags: string[];
  parentTaskId: string | null;
}

const dueNotBeforeStart = { message: 'must not be before start_date', path: ['dueDate'] };

export const createTaskSchema = z.object({
  task: z
    .object(
      {
        projectId: uuid,
        title,
        description,
        status: withDefault(taskStatus, workV1.TaskStatus.TASK_STATUS_TODO),
        priority: withDefault(priority, workV1.Priority.PRIORITY_MEDIUM),
        assigneeId: optionalUuid,
        estimatedHours,
        startDate: optionalDate,
        dueDate: optionalDate,
        tags,
        parentTaskId: optionalUuid,
      },
      required,
    )
    .refine((t) => datesInOrder(t.startDate, t.dueDate), dueNotBeforeStart),
  requestId,
});

const updatableFields = {
  title: z.object({ title }),
  description: z.object({ description }),
  status: z.object({ status: taskStatus }),
  priority: z.object({ priority }),
  assignee_id: z.object({ assigneeId: optionalUuid }),
  estimated_hours: z.object({ estimatedHours }),
  start_date: z.object({ startDate: optionalDate }),
  due_date: z.object({ dueDate: optionalDate }),
  tags: z.object({ tags }),
  parent_task_id: z.object({ parentTaskId: optionalUuid }),
};
export const TASK_UPDATABLE = Object.keys(updatableFields) as (keyof typeof updatableFields)[];
export type TaskUpdatableField = keyof typeof updatableFields;

export function updateTaskSchema(
  paths: ReadonlySet<TaskUpdatableField>,
): z.ZodType<{ task: { id: string; etag: string } & Partial<TaskFields> }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(updatableFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  return z.object({ task: fields }, required) as unknown as z.ZodType<{
    task: { id: string; etag: string } & Partial<TaskFields>;
  }>;
}

export const idSchema = z.object({ id: uuid });
export const deleteTaskSchema = z.object({ id: uuid, etag });
export const dependencySchema = z.object({ taskId: uuid, blockerTaskId: uuid });

const optionalId = optionalUuid.transform((value) => value ?? undefined);
const optionalBound = optionalDate.transform((value) => value ?? undefined);

export const listTasksSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  projectId: optionalId,
  assigneeId: optionalId,
  status: taskStatus.optional(),
  priority: priority.optional(),
  tag: z.string().trim().toLowerCase().max(50, 'must be at most 50 characters'),
  dueBefore: optionalBound,
  dueAfter: optionalBound,
  overdueOnly: z.boolean(),
  orderBy: z
    .enum(workV1.TaskOrderBy, 'must be a TaskOrderBy value')
    .refine((value) => value !== workV1.TaskOrderBy.UNRECOGNIZED, 'must be a TaskOrderBy value'),
  includeTotalSize: z.boolean(),
});
export type ListTasksQuery = z.output<typeof listTasksSchema>;

export const searchTasksSchema = z.object({
  query: searchQuerySchema,
  projectId: optionalId,
  assigneeId: optionalId,
  status: taskStatus.optional(),
  priority: priority.optional(),
  tag: listTasksSchema.shape.tag,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  includeTotalSize: z.boolean(),
});
export type TaskSearch = z.output<typeof searchTasksSchema>;

/** Hours on one day (time_entries.hours): more than 0, at most 24. */
const hours = decimal({ precision: 5, scale: 2 }, { sign: 'positive', max: '24' });

export const logTimeSchema = z.object({
  timeEntry: z.object(
    {
      taskId: uuid,
      hours,
      workDate: calendarDate.refine(
        (value) => value <= new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
        'must not be in the future',
      ),
      note: z.string().max(2000, 'must be at most 2000 characters'),
    },
    required,
  ),
  requestId,
});

export const listTimeEntriesSchema = z.object({
  taskId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
});
