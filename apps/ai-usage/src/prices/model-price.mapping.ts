import { etagOf } from '@nexus/db';
import type { aiUsageV1 } from '@nexus/proto';
import { normalizeDecimal } from '@nexus/core';
import type { ModelPriceEntity } from './model-price.entity';

export function toModelPriceMessage(price: ModelPriceEntity): aiUsageV1.ModelPrice {
  return {
    id: price.id,
    provider: price.provider,
    model: price.model,
    inputPricePerMillion: normalizeDecimal(price.inputPrice),
    outputPricePerMillion: normalizeDecimal(price.outputPrice),
    cachedInputPricePerMillion:
      price.cachedInputPrice === null ? '' : normalizeDecimal(price.cachedInputPrice),
    reasoningPricePerMillion:
      price.reasoningPrice === null ? '' : normalizeDecimal(price.reasoningPrice),
    currencyCode: price.currency,
    effectiveTime: price.effectiveFrom,
    createTime: price.createdAt,
    updateTime: price.updatedAt,
    deleteTime: price.deletedAt ?? undefined,
    etag: etagOf(price),
  };
}
