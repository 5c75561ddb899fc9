import { validate } from '@nexus/core';
import { type RpcKit, checkUpdateMask } from '@nexus/grpc';
import { workV1 } from '@nexus/proto';
import { TASK_STATUS_TO_PROTO } from '../shared/proto-enums';
import type { ProjectMemberService } from './project-member.service';
import type { ProjectOrder, ProjectService } from './project.service';
import { projectStats } from './project-stats';
import { toProjectMessage } from './project.mapping';
import {
  createProjectSchema,
  deleteProjectSchema,
  idSchema,
  listProjectsSchema,
  memberSchema,
  PROJECT_UPDATABLE,
  projectIdSchema,
  removeMemberSchema,
  updateProjectSchema,
} from './project.validation';
import type { DataSource } from 'typeorm';

const ORDER_OF_PROTO: Record<workV1.ProjectOrderBy, ProjectOrder> = {
  [workV1.ProjectOrderBy.PROJECT_ORDER_BY_UNSPECIFIED]: 'create_time_desc',
  [workV1.ProjectOrderBy.PROJECT_ORDER_BY_CREATE_TIME_DESC]: 'create_time_desc',
  [workV1.ProjectOrderBy.PROJECT_ORDER_BY_NAME_ASC]: 'name_asc',
  [workV1.ProjectOrderBy.UNRECOGNIZED]: 'create_time_desc',
};

/** nexus.work.v1.ProjectService: decode, validate, call the domain, encode. */
export function projectServiceHandlers(
  rpc: RpcKit,
  dataSource: DataSource,
  projects: ProjectService,
  members: ProjectMemberService,
): Omit<workV1.ProjectServiceServer, 'watchProject'> {
  return {
    createProject: rpc.unary('CreateProject', async (request: workV1.CreateProjectRequest, ctx) => {
      const caller = ctx.caller;
      const { project, requestId } = validate(createProjectSchema, request);
      return toProjectMessage(
        await projects.create(caller, project, ctx.idempotencyKey(requestId, request)),
      );
    }),

    getProject: rpc.unary('GetProject', async (request: workV1.GetProjectRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(idSchema, request);
      return toProjectMessage(await projects.get(caller, id));
    }),

    listProjects: rpc.unary('ListProjects', async (request: workV1.ListProjectsRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listProjectsSchema, request);
      const page = await projects.list(caller, { ...query, order: ORDER_OF_PROTO[query.orderBy] });
      return {
        projects: page.items.map(toProjectMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    updateProject: rpc.unary('UpdateProject', async (request: workV1.UpdateProjectRequest, ctx) => {
      const caller = ctx.caller;
      const paths = checkUpdateMask(request.updateMask, PROJECT_UPDATABLE);
      const { project, force } = validate(updateProjectSchema(paths), request);
      return toProjectMessage(
        await projects.update(caller, project.id, project.etag, paths, project, force),
      );
    }),

    deleteProject: rpc.unary('DeleteProject', async (request: workV1.DeleteProjectRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(deleteProjectSchema, request);
      return toProjectMessage(await projects.archive(caller, id, etag));
    }),

    undeleteProject: rpc.unary(
      'UndeleteProject',
      async (request: workV1.UndeleteProjectRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(idSchema, request);
        return toProjectMessage(await projects.restore(caller, id));
      },
    ),

    addMember: rpc.unary('AddMember', async (request: workV1.AddMemberRequest, ctx) => {
      const caller = ctx.caller;
      const { projectId, userId, role } = validate(memberSchema, request);
      return toProjectMessage(await members.add(caller, projectId, userId, role, ctx.deadline));
    }),

    updateMember: rpc.unary('UpdateMember', async (request: workV1.UpdateMemberRequest, ctx) => {
      const caller = ctx.caller;
      const { projectId, userId, role } = validate(memberSchema, request);
      return toProjectMessage(await members.update(caller, projectId, userId, role));
    }),

    removeMember: rpc.unary('RemoveMember', async (request: workV1.RemoveMemberRequest, ctx) => {
      const caller = ctx.caller;
      const { projectId, userId } = validate(removeMemberSchema, request);
      return toProjectMessage(await members.remove(caller, projectId, userId));
    }),

    getProjectStats: rpc.unary(
      'GetProjectStats',
      async (request: workV1.GetProjectStatsRequest, ctx) => {
        const caller = ctx.caller;
        const { projectId } = validate(projectIdSchema, request);
        const stats = await projectStats(dataSource, caller, projectId);
        return {
          ...stats,
          tasksByStatus: stats.tasksByStatus.map(({ status, count }) => ({
            status: TASK_STATUS_TO_PROTO[status],
            count,
          })),
          budget: stats.budget ?? undefined,
          spent: stats.spent ?? undefined,
        };
      },
    ),
  };
}
