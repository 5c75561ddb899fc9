import { uuidv7 } from '@nexus/core';
import { aiUsageV1 } from '@nexus/proto';
import type { Scenario } from '../scenario';

function interaction(tag: string, n: number): aiUsageV1.AiInteraction {
  return aiUsageV1.AiInteraction.fromPartial({
    module: aiUsageV1.Module.MODULE_CHAT,
    provider: 'openai',
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    operation: aiUsageV1.Operation.OPERATION_CHAT,
    prompt: `prompt ${tag} ${n}`,
    response: `response ${tag} ${n}`,
    inputTokens: 1000 + (n % 500),
    cachedInputTokens: 200,
    outputTokens: 300,
    latencyMs: 200 + (n % 1000),
    status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
  });
}

/**
 * ai-usage's main write, driven only in the sustained load: its ratio to H is
 * measured by the service's own bench (apps/ai-usage/bench), whose rows the
 * report joins, so it has no P here.
 */
export const recordInteraction: Scenario = {
  name: 'RecordInteraction',
  service: 'ai-usage',
  reference: { kind: 'h', bound: 0.65 },
  rawWork: 'measured by apps/ai-usage/bench/usage.bench.ts',
  seed: async ({ clients, caller }) => {
    // A price for the model, as an admin sets it (the benchmark's default token).
    await clients.modelPrices.createModelPrice({
      modelPrice: aiUsageV1.ModelPrice.fromPartial({
        provider: 'openai',
        model: 'gpt-4o*',
        inputPricePerMillion: '2.5',
        outputPricePerMillion: '10',
        cachedInputPricePerMillion: '1.25',
        currencyCode: 'USD',
        effectiveTime: new Date('2020-01-01T00:00:00Z'),
      }),
      requestId: '',
    });
    const as = { token: caller.token };
    return {
      call: async (clients, tag, worker, n) => {
        await clients.aiUsage.recordInteraction(
          { interaction: interaction(`${tag}-${worker}`, n), requestId: uuidv7() },
          as,
        );
      },
      sample: async (clients, tag) => {
        const body = { interaction: interaction(tag, 0), requestId: uuidv7() };
        const reply = await clients.aiUsage.recordInteraction(body, as);
        return {
          request: aiUsageV1.RecordInteractionRequest.encode(body).finish(),
          reply: aiUsageV1.AiInteraction.encode(reply).finish(),
        };
      },
    };
  },
};
