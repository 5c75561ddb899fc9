import { validate } from '@nexus/core';
import { type RpcKit, checkUpdateMask } from '@nexus/grpc';
import type { aiUsageV1 } from '@nexus/proto';
import { idSchema } from '../interactions/interaction.validation';
import { toModelPriceMessage } from './model-price.mapping';
import type { ModelPriceService } from './model-price.service';
import {
  UPDATABLE,
  createModelPriceSchema,
  deleteModelPriceSchema,
  listModelPricesSchema,
  updateModelPriceSchema,
} from './model-price.validation';

/** nexus.aiusage.v1.ModelPriceService. */
export function modelPriceServiceHandlers(
  rpc: RpcKit,
  prices: ModelPriceService,
): aiUsageV1.ModelPriceServiceServer {
  return {
    createModelPrice: rpc.unary(
      'CreateModelPrice',
      async (request: aiUsageV1.CreateModelPriceRequest, ctx) => {
        const caller = ctx.caller;
        const { modelPrice, requestId } = validate(createModelPriceSchema, request);
        return toModelPriceMessage(
          await prices.create(
            caller,
            { ...modelPrice, effectiveTime: modelPrice.effectiveTime! },
            ctx.idempotencyKey(requestId, request),
          ),
        );
      },
    ),

    getModelPrice: rpc.unary(
      'GetModelPrice',
      async (request: aiUsageV1.GetModelPriceRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(idSchema, request);
        return toModelPriceMessage(await prices.get(caller, id));
      },
    ),

    listModelPrices: rpc.unary(
      'ListModelPrices',
      async (request: aiUsageV1.ListModelPricesRequest, ctx) => {
        const caller = ctx.caller;
        const query = validate(listModelPricesSchema, request);
        const page = await prices.list(caller, { ...query, includeTotal: query.includeTotalSize });
        return {
          modelPrices: page.items.map(toModelPriceMessage),
          nextPageToken: page.nextPageToken,
          totalSize: page.totalSize ?? 0,
        };
      },
    ),

    updateModelPrice: rpc.unary(
      'UpdateModelPrice',
      async (request: aiUsageV1.UpdateModelPriceRequest, ctx) => {
        const caller = ctx.caller;
        const paths = checkUpdateMask(request.updateMask, UPDATABLE);
        const { modelPrice } = validate(updateModelPriceSchema(paths), request);
        return toModelPriceMessage(
          await prices.update(caller, modelPrice.id, modelPrice.etag, modelPrice),
        );
      },
    ),

    deleteModelPrice: rpc.unary(
      'DeleteModelPrice',
      async (request: aiUsageV1.DeleteModelPriceRequest, ctx) => {
        const caller = ctx.caller;
        const { id, etag } = validate(deleteModelPriceSchema, request);
        return toModelPriceMessage(await prices.delete(caller, id, etag));
      },
    ),

    undeleteModelPrice: rpc.unary(
      'UndeleteModelPrice',
      async (request: aiUsageV1.UndeleteModelPriceRequest, ctx) => {
        const caller = ctx.caller;
        const { id } = validate(idSchema, request);
        return toModelPriceMessage(await prices.undelete(caller, id));
      },
    ),
  };
}
