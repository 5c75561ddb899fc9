import { UserDirectory } from '@nexus/clients';
import { AggregateStore } from '@nexus/db';
import { runEventConsumer } from '@nexus/events';
import { workV1 } from '@nexus/proto';
import type { ServiceRuntime, ServiceSpec } from '@nexus/runtime';
import { taskActivityHandlers } from './activity/task-activity.grpc';
import { TaskActivityService } from './activity/task-activity.service';
import { taskCommentAggregate } from './comments/task-comment.aggregate';
import { TaskCommentEntity } from './comments/task-comment.entity';
import { taskCommentHandlers } from './comments/task-comment.grpc';
import { TaskCommentService } from './comments/task-comment.service';
import type { WorkConfig } from './config';
import { database } from './database';
import { projectAggregate } from './projects/project.aggregate';
import { ProjectEntity } from './projects/project.entity';
import { projectServiceHandlers } from './projects/project.grpc';
import { ProjectMemberService } from './projects/project-member.service';
import { projectWatchHandlers } from './projects/project-watch';
import { ProjectService } from './projects/project.service';
import { hydrateProjects } from './projects/project.store';
import { leavingUserId, removeUserFromWork } from './shared/user-cascade';
import { taskAggregate } from './tasks/task.aggregate';
import { TaskEntity } from './tasks/task.entity';
import { taskServiceHandlers } from './tasks/task.grpc';
import { TaskDependencyService } from './tasks/task-dependency.service';
import { TaskService } from './tasks/task.service';
import { hydrateTasks } from './tasks/task.store';
import { TimeEntryService } from './tasks/time-entry.service';

/** Everything the handlers and the consumer share, built once from the runtime. */
function buildParts(runtime: ServiceRuntime, users: UserDirectory) {
  const { dataSource, pageTokens } = runtime;
  const projects = new AggregateStore(dataSource, ProjectEntity, projectAggregate, pageTokens, {
    hydrate: hydrateProjects,
  });
  const tasks = new AggregateStore(dataSource, TaskEntity, taskAggregate, pageTokens, {
    hydrate: hydrateTasks,
  });
  const comments = new AggregateStore(
    dataSource,
    TaskCommentEntity,
    taskCommentAggregate,
    pageTokens,
    { resourceName: 'task comment' },
  );
  const members = new ProjectMemberService(dataSource, projects, users);
  return {
    taskStore: tasks,
    members,
    projects: new ProjectService(dataSource, projects),
    tasks: new TaskService(dataSource, tasks, users, comments),
    comments: new TaskCommentService(dataSource, comments, users),
    activity: new TaskActivityService(dataSource, pageTokens),
    dependencies: new TaskDependencyService(dataSource, tasks),
    time: new TimeEntryService(dataSource, tasks, pageTokens),
  };
}

/** The work service: projects with members and budgets, tasks with dependencies and time. */
export function workService(config: WorkConfig): ServiceSpec {
  const users = new UserDirectory(config.users);
  return {
    name: 'work',
    ...database,
    aggregates: [projectAggregate, taskAggregate, taskCommentAggregate],
    // Every replica follows its changes, for WatchProject.
    live: true,
    bind: (runtime) => {
      const parts = buildParts(runtime, users);
      return [
        {
          name: 'nexus.work.v1.ProjectService',
          definition: workV1.ProjectServiceService,
          implementation: {
            ...projectServiceHandlers(
              runtime.rpc,
              runtime.dataSource,
              parts.projects,
              parts.members,
            ),
            ...projectWatchHandlers(runtime.rpc, runtime.live, parts.projects),
          },
        },
        {
          name: 'nexus.work.v1.TaskService',
          definition: workV1.TaskServiceService,
          implementation: {
            ...taskServiceHandlers(runtime.rpc, parts.tasks, parts.dependencies, parts.time),
            ...taskCommentHandlers(runtime.rpc, parts.comments),
            ...taskActivityHandlers(runtime.rpc, parts.activity),
          },
        },
      ];
    },
    consume: async (runtime) => {
      const parts = buildParts(runtime, users);
      return [
        await runEventConsumer({
          kafka: runtime.kafka,
          dataSource: runtime.dataSource,
          logger: runtime.logger,
          service: 'work',
          groupId: 'nexus-work',
          topics: ['nexus.users.user'],
          handle: async (event, tx) => {
            const userId = leavingUserId(event);
            if (userId) await removeUserFromWork(tx, userId, parts.taskStore, parts.members);
          },
        }),
      ];
    },
  };
}
