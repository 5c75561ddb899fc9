import { createPromiseClient, type PromiseClient } from '@nexus/clients';
import { type commonV1, workV1 } from '@nexus/proto';
import { startService, type RunningService } from '@nexus/runtime';
import { startUsersProcess, type TestUser, type UsersProcess } from '@nexus/testing';
import { workConfig } from '../config';
import { workService } from '../work.app';

export type ProjectClient = PromiseClient<typeof workV1.ProjectServiceService>;
export type TaskClient = PromiseClient<typeof workV1.TaskServiceService>;

/** A work service on loopback, wired to a real users service, with clients and helpers. */
export interface WorkHarness {
  service: RunningService;
  users: UsersProcess;
  projects: ProjectClient;
  tasks: TaskClient;
  signUp(role?: commonV1.Role): Promise<TestUser>;
  /** A project owned by `owner` with the given members added. */
  project(
    owner: TestUser,
    members?: [TestUser, workV1.MemberRole][],
    fields?: Partial<workV1.Project>,
  ): Promise<workV1.Project>;
  task(as: TestUser, projectId: string, fields?: Partial<workV1.Task>): Promise<workV1.Task>;
  stop(): Promise<void>;
}

export const as = (user: TestUser) => ({ token: user.token });

/** `env` overrides the configuration (e.g. USERS_GRPC_ADDRESS, to put another peer behind it). */
export async function startWork(env: Record<string, string> = {}): Promise<WorkHarness> {
  const users = await startUsersProcess();
  const config = workConfig({
    ...process.env,
    BIND_HOST: '127.0.0.1',
    WORK_GRPC_PORT: '0',
    WORK_HTTP_PORT: '0',
    USERS_GRPC_ADDRESS: users.address,
    ...env,
  });
  const service = await startService(workService(config), config.service);
  const address = `127.0.0.1:${service.grpcPort}`;
  const projects = createPromiseClient(workV1.ProjectServiceService, { address });
  const tasks = createPromiseClient(workV1.TaskServiceService, { address });

  return {
    service,
    users,
    projects,
    tasks,
    signUp: (role) => users.signUp(role),
    project: async (owner, members = [], fields = {}) => {
      let project = await projects.createProject(
        { project: workV1.Project.fromPartial({ name: 'Apollo', ...fields }), requestId: '' },
        as(owner),
      );
      for (const [member, role] of members) {
        project = await projects.addMember(
          { projectId: project.id, userId: member.user.id, role },
          as(owner),
        );
      }
      return project;
    },
    task: (user, projectId, fields = {}) =>
      tasks.createTask(
        { task: workV1.Task.fromPartial({ title: 'Do it', projectId, ...fields }), requestId: '' },
        as(user),
      ),
    stop: async () => {
      projects.close();
      tasks.close();
      await service.stop();
      await users.stop();
    },
  };
}
