import { aiUsageV1 } from '@nexus/proto';
import { createPromiseClient, type ClientOptions, type PromiseClient } from './promise-client';

export type AiUsageClient = PromiseClient<typeof aiUsageV1.AiUsageServiceService>;
export type ModelPriceClient = PromiseClient<typeof aiUsageV1.ModelPriceServiceService>;
export type BudgetClient = PromiseClient<typeof aiUsageV1.BudgetServiceService>;

/** nexus.aiusage.v1: interactions and summaries, model prices, budgets (one address). */
export function createAiUsageClients(options: ClientOptions): {
  usage: AiUsageClient;
  prices: ModelPriceClient;
  budgets: BudgetClient;
} {
  return {
    usage: createPromiseClient(aiUsageV1.AiUsageServiceService, options),
    prices: createPromiseClient(aiUsageV1.ModelPriceServiceService, options),
    budgets: createPromiseClient(aiUsageV1.BudgetServiceService, options),
  };
}
