import type { ServerWritableStream } from '@grpc/grpc-js';
import { z } from 'zod';
import { isAdmin, validate } from '@nexus/core';
import type { PlatformEvent } from '@nexus/events';
import { type RpcKit, uuid, watchCursor } from '@nexus/grpc';
import { workV1 } from '@nexus/proto';
import type { LiveStreams } from '@nexus/runtime';
import { taskAggregate } from '../tasks/task.aggregate';
import { projectAggregate } from './project.aggregate';
import type { ProjectService } from './project.service';

export const watchProjectSchema = z.object({ projectId: uuid, cursor: watchCursor });

type Response = workV1.WatchProjectResponse;

/** The verb of a change event (`nexus.work.task.completed` -> `completed`). */
const verbOf = (event: PlatformEvent) => event.type.slice(event.topic.length + 1);

/** Whether a change is the project's own, or one of its tasks'. */
export function belongsToProject(event: PlatformEvent, projectId: string): boolean {
  if (event.topic === projectAggregate.topic) return event.subject === projectId;
  if (event.topic !== taskAggregate.topic) return false;
  const task = event.data.after ?? event.data.before;
  return task?.projectId === projectId;
}

/**
 * ProjectService.WatchProject (docs/work.md, Live: WatchProject): the
 * project's changes and its tasks', for as long as the caller may read the
 * project. Reading is GetProject's rule. Membership changes are project
 * changes, so the stream learns of a removal from the change itself; when a
 * change leaves the caller out, the database has the last word (a replayed
 * change may predate a membership that GetProject now allows), and its
 * refusal ends the stream with GetProject's status. An archived project
 * stays readable, so its `deleted` (and `restored`) are items like others.
 */
export function projectWatchHandlers(
  rpc: RpcKit,
  live: LiveStreams,
  projects: ProjectService,
): Pick<workV1.ProjectServiceServer, 'watchProject'> {
  return {
    watchProject: rpc.serverStream(
      'WatchProject',
      async (call: ServerWritableStream<workV1.WatchProjectRequest, Response>, ctx) => {
        const caller = ctx.caller;
        const { projectId, cursor } = validate(watchProjectSchema, call.request);
        const mayRead = async () => {
          await projects.get(caller, projectId);
        };
        await live.serve(call, ctx, {
          cursor,
          opened: mayRead,
          selects: (event) => belongsToProject(event, projectId),
          itemFor: async (event, itemCursor): Promise<Response | null> => {
            const head = {
              verb: verbOf(event),
              cursor: itemCursor,
              changeTime: event.time,
              actorId: event.data.actor ?? '',
            };
            if (event.topic === taskAggregate.topic) {
              const task = workV1.Task.fromJSON(event.data.after ?? event.data.before);
              return { ...head, resource: { $case: 'task', value: task } };
            }
            const after = event.data.after;
            const project = after ? workV1.Project.fromJSON(after) : null;
            const named = project?.members.some((member) => member.userId === caller.userId);
            if (!isAdmin(caller) && !named) await mayRead();
            return project ? { ...head, resource: { $case: 'project', value: project } } : null;
          },
          caughtUp: (upTo) => ({ verb: 'caught_up', cursor: upTo, actorId: '' }),
        });
      },
    ),
  };
}
