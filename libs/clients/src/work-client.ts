import { workV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export type WorkProjectsClient = PromiseClient<typeof workV1.ProjectServiceService>;
export type WorkTasksClient = PromiseClient<typeof workV1.TaskServiceService>;

/** nexus.work.v1.ProjectService and nexus.work.v1.TaskService (one address, two clients). */
export function createWorkClients(options: ClientOptions): {
  projects: WorkProjectsClient;
  tasks: WorkTasksClient;
} {
  return {
    projects: createPromiseClient(workV1.ProjectServiceService, options),
    tasks: createPromiseClient(workV1.TaskServiceService, options),
  };
}
