import { validate } from '@nexus/core';
import type { RpcKit } from '@nexus/grpc';
import type { aiUsageV1 } from '@nexus/proto';
import { toBudgetMessage } from '../budgets/budget.mapping';
import { toInteractionMessage } from '../interactions/interaction.mapping';
import type { UserUsageService } from './user-usage.service';
import { eraseUserUsageSchema, exportUserUsageSchema } from './user-usage.validation';

/** ExportUserUsage and EraseUserUsage of nexus.aiusage.v1.AiUsageService. */
export function userUsageHandlers(
  rpc: RpcKit,
  userUsage: UserUsageService,
): Pick<aiUsageV1.AiUsageServiceServer, 'exportUserUsage' | 'eraseUserUsage'> {
  return {
    exportUserUsage: rpc.unary(
      'ExportUserUsage',
      async (request: aiUsageV1.ExportUserUsageRequest, ctx) => {
        const query = validate(exportUserUsageSchema, request);
        const exported = await userUsage.export(ctx.caller, query);
        return {
          budgets: exported.budgets.map(toBudgetMessage),
          interactions: exported.interactions.map(toInteractionMessage),
          nextPageToken: exported.nextPageToken,
        };
      },
    ),

    eraseUserUsage: rpc.unary(
      'EraseUserUsage',
      async (request: aiUsageV1.EraseUserUsageRequest, ctx) => {
        const { userId } = validate(eraseUserUsageSchema, request);
        const erased = await userUsage.erase(ctx.caller, userId);
        return {
          interactionsErased: erased.interactions,
          budgetsErased: erased.budgets,
          rollupRowsAnonymised: erased.rollupRows,
        };
      },
    ),
  };
}
