import { validate } from '@nexus/core';
import { type RpcKit, checkUpdateMask } from '@nexus/grpc';
import type { aiUsageV1 } from '@nexus/proto';
import { idSchema } from '../interactions/interaction.validation';
import { toBudgetMessage } from './budget.mapping';
import type { BudgetService } from './budget.service';
import {
  UPDATABLE,
  createBudgetSchema,
  deleteBudgetSchema,
  listBudgetsSchema,
  updateBudgetSchema,
} from './budget.validation';

/** nexus.aiusage.v1.BudgetService. */
export function budgetServiceHandlers(
  rpc: RpcKit,
  budgets: BudgetService,
): aiUsageV1.BudgetServiceServer {
  return {
    createBudget: rpc.unary('CreateBudget', async (request: aiUsageV1.CreateBudgetRequest, ctx) => {
      const caller = ctx.caller;
      const { budget, requestId } = validate(createBudgetSchema, request);
      return toBudgetMessage(
        await budgets.create(caller, budget, ctx.idempotencyKey(requestId, request)),
      );
    }),

    getBudget: rpc.unary('GetBudget', async (request: aiUsageV1.GetBudgetRequest, ctx) => {
      const caller = ctx.caller;
      const { id } = validate(idSchema, request);
      return toBudgetMessage(await budgets.get(caller, id));
    }),

    listBudgets: rpc.unary('ListBudgets', async (request: aiUsageV1.ListBudgetsRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listBudgetsSchema, request);
      const page = await budgets.list(caller, {
        filters: { scope: query.scope, userId: query.userId, module: query.module },
        pageSize: query.pageSize,
        pageToken: query.pageToken,
        includeTotal: query.includeTotalSize,
      });
      return {
        budgets: page.items.map(toBudgetMessage),
        nextPageToken: page.nextPageToken,
        totalSize: page.totalSize ?? 0,
      };
    }),

    updateBudget: rpc.unary('UpdateBudget', async (request: aiUsageV1.UpdateBudgetRequest, ctx) => {
      const caller = ctx.caller;
      checkUpdateMask(request.updateMask, UPDATABLE);
      const { budget } = validate(updateBudgetSchema, request);
      return toBudgetMessage(
        await budgets.update(
          caller,
          budget.id,
          budget.etag,
          budget.amount.amount,
          budget.amount.currencyCode,
        ),
      );
    }),

    deleteBudget: rpc.unary('DeleteBudget', async (request: aiUsageV1.DeleteBudgetRequest, ctx) => {
      const caller = ctx.caller;
      const { id, etag } = validate(deleteBudgetSchema, request);
      await budgets.delete(caller, id, etag);
      return {};
    }),
  };
}
