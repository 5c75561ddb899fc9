import { defineAggregate, type JsonObject } from '@nexus/db';
import { aiUsageV1 } from '@nexus/proto';
import type { ModelPriceEntity } from './model-price.entity';
import { toModelPriceMessage } from './model-price.mapping';

/** Events on `nexus.ai-usage.model-price` carry the API's ModelPrice in proto3 JSON. */
export const modelPriceAggregate = defineAggregate<ModelPriceEntity>({
  service: 'ai-usage',
  name: 'model-price',
  toResource: (price) => aiUsageV1.ModelPrice.toJSON(toModelPriceMessage(price)) as JsonObject,
});
