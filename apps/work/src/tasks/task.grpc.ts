import { validate } from '@nexus/core';
import { type RpcKit, checkUpdateMask, searchResponse } from '@nexus/grpc';
import { workV1 } from '@nexus/proto';
import type { TaskDependencyService } from './task-dependency.service';
import type { TaskOrder, TaskService } from './task.service';
import { toTaskMessage, toTimeEntryMessage } from './task.mapping';
import type { TimeEntryService } from './time-entry.service';
import {
  createTaskSchema,
  deleteTaskSchema,
  dependencySchema,
  idSchema,
  listTasksSchema,
  listTimeEntriesSchema,
  logTimeSchema,
  searchTasksSchema,
  TASK_UPDATABLE,
  updateTaskSchema,
} from './task.validation';

const ORDER_OF_PROTO: Record<workV1.TaskOrderBy, TaskOrder> = {
  [workV1.TaskOrderBy.TASK_ORDER_BY_UNSPECIFIED]: 'create_time_desc',
  [workV1.TaskOrderBy.TASK_ORDER_BY_CREATE_TIME_DESC]: 'create_time_desc',
  [workV1.TaskOrderBy.TASK_ORDER_BY_DUE_DATE_ASC]: 'due_date_asc',
  [workV1.TaskOrderBy.TASK_ORDER_BY_PRIORITY_DESC]: 'priority_desc',
  [workV1.TaskOrderBy.UNRECOGNIZED]: 'create_time_desc',
};

/** The RPCs of comments and history, whose handlers live with them (comments/, activity/). */
type ElsewhereHandled =
  | 'createTaskComment'
  | 'listTaskComments'
  | 'updateTaskComment'
  | 'deleteTaskComment'
  | 'listTaskActivity';

/** nexus.work.v1.TaskService: decode, validate, call the domain, encode. */
export function taskServiceHandlers(
  rpc: RpcKit,
  tasks: TaskService,
  dependencies: TaskDependencyService,
  time: TimeEntryService,
): Omit<workV1.TaskServiceServer, ElsewhereHandled> {
  return {
    createTask: rpc.unary('CreateTask', async (request: workV1.CreateTaskRequest, ctx) => {
      const caller = ctx.caller;
      const { task, requestId } = validate(createTaskSchema, request);
      return toTaskMessage(
        await tasks.create(caller, task, ctx.idempotencyKey(requestId, request), ctx.deadline),
      );
    }),

    getTask: rpc.unary('GetTask', async (request: workV1.GetTaskRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(idSchema, request);
      return toTaskMessage(await tasks.get(caller, id));
    }),

    listTasks: rpc.unary('ListTasks', async (request: workV1.ListTasksRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listTasksSchema, request);
      const page = await tasks.list(caller, { ...query, order: ORDER_OF_PROTO[query.orderBy] });
      return {
        tasks: page.items.map(toTaskMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    searchTasks: rpc.unary('SearchTasks', async (request: workV1.SearchTasksRequest, ctx) => {
      const page = await tasks.search(ctx.caller, validate(searchTasksSchema, request));
      return searchResponse(page, (item, snippet) => ({ task: toTaskMessage(item), snippet }));
    }),

    updateTask: rpc.unary('UpdateTask', async (request: workV1.UpdateTaskRequest, ctx) => {
      const caller = ctx.caller;
      const paths = checkUpdateMask(request.updateMask, TASK_UPDATABLE);
      const { task } = validate(updateTaskSchema(paths), request);
      return toTaskMessage(
        await tasks.update(caller, task.id, task.etag, paths, task, ctx.deadline),
      );
    }),

    deleteTask: rpc.unary('DeleteTask', async (request: workV1.DeleteTaskRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(deleteTaskSchema, request);
      await tasks.delete(caller, id, etag);
      return {};
    }),

    addDependency: rpc.unary('AddDependency', async (request: workV1.AddDependencyRequest, ctx) => {
      const caller = ctx.caller;
      const { taskId, blockerTaskId } = validate(dependencySchema, request);
      return toTaskMessage(await dependencies.add(caller, taskId, blockerTaskId));
    }),

    removeDependency: rpc.unary(
      'RemoveDependency',
      async (request: workV1.RemoveDependencyRequest, ctx) => {
        const caller = ctx.caller;
        const { taskId, blockerTaskId } = validate(dependencySchema, request);
        return toTaskMessage(await dependencies.remove(caller, taskId, blockerTaskId));
      },
    ),

    logTime: rpc.unary('LogTime', async (request: workV1.LogTimeRequest, ctx) => {
      const caller = ctx.caller;
      const { timeEntry, requestId } = validate(logTimeSchema, request);
      return toTimeEntryMessage(
        await time.log(caller, timeEntry, ctx.idempotencyKey(requestId, request)),
      );
    }),

    listTimeEntries: rpc.unary(
      'ListTimeEntries',
      async (request: workV1.ListTimeEntriesRequest, ctx) => {
        const caller = ctx.caller;
        const query = validate(listTimeEntriesSchema, request);
        const page = await time.list(caller, query);
        return {
          timeEntries: page.items.map(toTimeEntryMessage),
          nextPageToken: page.nextPageToken,
        };
      },
    ),

    deleteTimeEntry: rpc.unary(
      'DeleteTimeEntry',
      async (request: workV1.DeleteTimeEntryRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(idSchema, request);
        await time.delete(caller, id);
        return {};
      },
    ),
  };
}
