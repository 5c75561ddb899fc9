import { validate } from '@nexus/core';
import type { RpcKit } from '@nexus/grpc';
import type { workV1 } from '@nexus/proto';
import { listTaskActivitySchema } from '../comments/task-comment.validation';
import { toTaskActivityMessage } from './task-activity.mapping';
import type { TaskActivityService } from './task-activity.service';

/** ListTaskActivity, part of nexus.work.v1.TaskService. */
export function taskActivityHandlers(
  rpc: RpcKit,
  activity: TaskActivityService,
): Pick<workV1.TaskServiceServer, 'listTaskActivity'> {
  return {
    listTaskActivity: rpc.unary(
      'ListTaskActivity',
      async (request: workV1.ListTaskActivityRequest, ctx) => {
        const page = await activity.list(ctx.caller, validate(listTaskActivitySchema, request));
        return {
          activities: page.items.map(toTaskActivityMessage),
          nextPageToken: page.nextPageToken,
        };
      },
    ),
  };
}
