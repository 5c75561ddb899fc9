import { createPromiseClient, type PromiseClient } from '@nexus/clients';
import { uuidv7, type Role } from '@nexus/core';
import { aiUsageV1 } from '@nexus/proto';
import { startService, type RunningService } from '@nexus/runtime';
import { signTestToken } from '@nexus/testing';
import { aiUsageService } from '../ai-usage.app';
import { aiUsageConfig } from '../config';

export interface Caller {
  userId: string;
  token: string;
}

/** An ai-usage service on loopback with clients for its three gRPC services. */
export interface AiUsageHarness {
  service: RunningService;
  usage: PromiseClient<typeof aiUsageV1.AiUsageServiceService>;
  prices: PromiseClient<typeof aiUsageV1.ModelPriceServiceService>;
  budgets: PromiseClient<typeof aiUsageV1.BudgetServiceService>;
  /** A fresh caller of `role` with a token valid for ten minutes. */
  as(role: Role): Caller;
  stop(): Promise<void>;
}

export async function startAiUsage(env: Record<string, string> = {}): Promise<AiUsageHarness> {
  const config = aiUsageConfig({
    ...process.env,
    BIND_HOST: '127.0.0.1',
    AI_USAGE_GRPC_PORT: '0',
    AI_USAGE_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const service = await startService(aiUsageService(config), config.service);
  const address = `127.0.0.1:${service.grpcPort}`;
  const usage = createPromiseClient(aiUsageV1.AiUsageServiceService, { address });
  const prices = createPromiseClient(aiUsageV1.ModelPriceServiceService, { address });
  const budgets = createPromiseClient(aiUsageV1.BudgetServiceService, { address });
  return {
    service,
    usage,
    prices,
    budgets,
    as: (role) => {
      const userId = uuidv7();
      return { userId, token: signTestToken({ role, userId, expiresInMs: 600_000 }) };
    },
    stop: async () => {
      usage.close();
      prices.close();
      budgets.close();
      await service.stop();
    },
  };
}

/** A provider name no other test uses, so prices never leak between tests. */
export function uniqueProvider(): string {
  return `prov-${uuidv7().slice(-12)}`;
}

/** A successful chat interaction with the given overrides. */
export function interaction(
  overrides: Partial<aiUsageV1.AiInteraction> = {},
): aiUsageV1.AiInteraction {
  return aiUsageV1.AiInteraction.fromPartial({
    module: aiUsageV1.Module.MODULE_CHAT,
    provider: 'openai',
    requestModel: 'gpt-4o',
    operation: aiUsageV1.Operation.OPERATION_CHAT,
    prompt: 'Summarise this thread',
    response: 'Here is the summary',
    inputTokens: 1000,
    outputTokens: 200,
    latencyMs: 800,
    status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
    ...overrides,
  });
}
