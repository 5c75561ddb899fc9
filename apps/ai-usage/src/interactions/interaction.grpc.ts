import type { RpcKit } from '@nexus/grpc';
import { aiUsageV1 } from '@nexus/proto';
import { validate } from '@nexus/core';
import type { UsageSummaryService } from '../usage/usage-summary.service';
import { summaryHandler } from '../usage/usage-summary.grpc';
import { toInteractionMessage } from './interaction.mapping';
import type { InteractionOrder, InteractionService } from './interaction.service';
import {
  batchRecordSchema,
  idSchema,
  listInteractionsSchema,
  recordInteractionSchema,
} from './interaction.validation';

const ORDER_OF_PROTO: Record<aiUsageV1.InteractionOrderBy, InteractionOrder> = {
  [aiUsageV1.InteractionOrderBy.INTERACTION_ORDER_BY_UNSPECIFIED]: 'start_time_desc',
  [aiUsageV1.InteractionOrderBy.INTERACTION_ORDER_BY_START_TIME_DESC]: 'start_time_desc',
  [aiUsageV1.InteractionOrderBy.INTERACTION_ORDER_BY_START_TIME_ASC]: 'start_time_asc',
  [aiUsageV1.InteractionOrderBy.UNRECOGNIZED]: 'start_time_desc',
};

/**
 * nexus.aiusage.v1.AiUsageService: decode, validate, call the domain, encode
 * (a user's export and erasure: userUsageHandlers).
 */
export function aiUsageServiceHandlers(
  rpc: RpcKit,
  interactions: InteractionService,
  summaries: UsageSummaryService,
): Omit<aiUsageV1.AiUsageServiceServer, 'exportUserUsage' | 'eraseUserUsage'> {
  return {
    recordInteraction: rpc.unary(
      'RecordInteraction',
      async (request: aiUsageV1.RecordInteractionRequest, ctx) => {
        const caller = ctx.caller;
        const { interaction, requestId } = validate(recordInteractionSchema, request);
        const key = ctx.idempotencyKey(requestId, request);
        const [recorded] = await interactions.record(caller, [{ interaction, key }]);
        return toInteractionMessage(recorded);
      },
    ),

    batchRecordInteractions: rpc.unary(
      'BatchRecordInteractions',
      async (request: aiUsageV1.BatchRecordInteractionsRequest, ctx) => {
        const caller = ctx.caller;
        const { requests } = validate(batchRecordSchema, request);
        // Each item's request id is bound to that item, as if it were sent alone.
        const items = requests.map(({ interaction, requestId }, index) => ({
          interaction,
          key: ctx.idempotencyKey(requestId, request.requests[index]),
        }));
        const recorded = await interactions.record(caller, items);
        return { interactions: recorded.map(toInteractionMessage) };
      },
    ),

    getInteraction: rpc.unary(
      'GetInteraction',
      async (request: aiUsageV1.GetInteractionRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(idSchema, request);
        return toInteractionMessage(await interactions.get(caller, id));
      },
    ),

    listInteractions: rpc.unary(
      'ListInteractions',
      async (request: aiUsageV1.ListInteractionsRequest, ctx) => {
        const caller = ctx.caller;
        const query = validate(listInteractionsSchema, request);
        const page = await interactions.list(caller, {
          filters: {
            userId: query.userId,
            module: query.module,
            model: query.model,
            provider: query.provider,
            status: query.status,
            startTime: query.startTime,
            endTime: query.endTime,
          },
          order: ORDER_OF_PROTO[query.orderBy],
          pageSize: query.pageSize,
          pageToken: query.pageToken,
          includeTotal: query.includeTotalSize,
        });
        return {
          interactions: page.items.map(toInteractionMessage),
          nextPageToken: page.nextPageToken,
          totalSize: page.totalSize ?? 0,
        };
      },
    ),

    getUsageSummary: summaryHandler(rpc, summaries),
  };
}
