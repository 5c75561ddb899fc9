import type { aiUsageV1, commonV1 } from '@nexus/proto';
import { normalizeDecimal } from '@nexus/core';
import { MODULE_TO_PROTO, OPERATION_TO_PROTO, STATUS_TO_PROTO } from '../enums';
import type { AiInteractionEntity } from './interaction.entity';

function money(amount: string | null, currency: string | null): commonV1.Money | undefined {
  return amount === null || currency === null
    ? undefined
    : { amount: normalizeDecimal(amount), currencyCode: currency };
}

/** The cost that counts: the caller's when given, else the computed one. */
export function effectiveCost(
  interaction: Pick<
    AiInteractionEntity,
    'reportedCost' | 'reportedCurrency' | 'computedCost' | 'computedCurrency'
  >,
): { amount: string; currency: string } | null {
  if (interaction.reportedCost !== null && interaction.reportedCurrency !== null) {
    return { amount: interaction.reportedCost, currency: interaction.reportedCurrency };
  }
  if (interaction.computedCost !== null && interaction.computedCurrency !== null) {
    return { amount: interaction.computedCost, currency: interaction.computedCurrency };
  }
  return null;
}

/** The API's view of an interaction (also the resource in its events). */
export function toInteractionMessage(entity: AiInteractionEntity): aiUsageV1.AiInteraction {
  const cost = effectiveCost(entity);
  return {
    id: entity.id,
    userId: entity.userId,
    module: MODULE_TO_PROTO[entity.module],
    provider: entity.provider,
    requestModel: entity.requestModel,
    responseModel: entity.responseModel,
    operation: OPERATION_TO_PROTO[entity.operation],
    prompt: entity.prompt ?? '',
    response: entity.response ?? '',
    promptCaptured: entity.promptCaptured,
    promptLength: entity.promptLength,
    responseLength: entity.responseLength,
    // Deprecated fields, empty since the hashes are keyed (prompt_hmac).
    promptSha256: '',
    responseSha256: '',
    promptHmac: entity.promptHmac ?? '',
    responseHmac: entity.responseHmac ?? '',
    inputTokens: entity.inputTokens,
    outputTokens: entity.outputTokens,
    cachedInputTokens: entity.cachedInputTokens,
    reasoningTokens: entity.reasoningTokens,
    totalTokens: entity.totalTokens,
    cost: cost ? money(cost.amount, cost.currency) : undefined,
    computedCost: money(entity.computedCost, entity.computedCurrency),
    reportedCost: money(entity.reportedCost, entity.reportedCurrency),
    unpriced: entity.unpriced,
    priceId: entity.priceId ?? '',
    latencyMs: entity.latencyMs,
    timeToFirstTokenMs: entity.timeToFirstTokenMs ?? undefined,
    status: STATUS_TO_PROTO[entity.status],
    errorMessage: entity.errorMessage,
    conversationId: entity.conversationId,
    traceId: entity.traceId,
    metadata: entity.metadata,
    startTime: entity.startedAt,
    createTime: entity.createdAt,
  };
}
