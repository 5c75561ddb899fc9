import { CrudRepository } from '@nexus/db';
import { runEventConsumer } from '@nexus/events';
import { aiUsageV1 } from '@nexus/proto';
import type { ServiceRuntime, ServiceSpec } from '@nexus/runtime';
import { budgetAggregate } from './budgets/budget.aggregate';
import { BudgetEntity } from './budgets/budget.entity';
import { budgetServiceHandlers } from './budgets/budget.grpc';
import { BudgetService } from './budgets/budget.service';
import type { AiUsageConfig } from './config';
import { database } from './database';
import { interactionAggregate } from './interactions/interaction.aggregate';
import { AiInteractionEntity } from './interactions/interaction.entity';
import { aiUsageServiceHandlers } from './interactions/interaction.grpc';
import { InteractionService } from './interactions/interaction.service';
import { modelPriceAggregate } from './prices/model-price.aggregate';
import { ModelPriceEntity } from './prices/model-price.entity';
import { modelPriceServiceHandlers } from './prices/model-price.grpc';
import { ModelPriceService } from './prices/model-price.service';
import { UsageSummaryService } from './usage/usage-summary.service';
import { USER_TOPIC, UserDeletedHandler } from './user-usage/user-deleted.handler';
import { UserUsageEraser } from './user-usage/user-usage-eraser';
import { userUsageHandlers } from './user-usage/user-usage.grpc';
import { UserUsageService } from './user-usage/user-usage.service';

/** The repositories of the service's three aggregates. */
function repositories({ dataSource, pageTokens }: ServiceRuntime) {
  return {
    interactions: new CrudRepository(
      dataSource,
      AiInteractionEntity,
      interactionAggregate,
      pageTokens,
    ),
    prices: new CrudRepository(
      dataSource,
      ModelPriceEntity,
      modelPriceAggregate,
      pageTokens,
      'model price',
    ),
    budgets: new CrudRepository(dataSource, BudgetEntity, budgetAggregate, pageTokens),
  };
}

/** The ai-usage service: interactions priced at record time, rollups, prices and budgets. */
export function aiUsageService(config: AiUsageConfig): ServiceSpec {
  return {
    name: 'ai-usage',
    ...database,
    aggregates: [interactionAggregate, modelPriceAggregate, budgetAggregate],
    bind: (runtime) => {
      const { dataSource, rpc } = runtime;
      const repos = repositories(runtime);
      const interactions = new InteractionService(dataSource, repos.interactions, repos.budgets, {
        prompts: config.capturePrompts,
        hashSecret: config.promptHashSecret,
      });
      const userUsage = new UserUsageService(
        dataSource,
        repos.interactions,
        repos.budgets,
        new UserUsageEraser(repos.budgets),
      );
      return [
        {
          name: 'nexus.aiusage.v1.AiUsageService',
          definition: aiUsageV1.AiUsageServiceService,
          implementation: {
            ...aiUsageServiceHandlers(rpc, interactions, new UsageSummaryService(dataSource)),
            ...userUsageHandlers(rpc, userUsage),
          },
        },
        {
          name: 'nexus.aiusage.v1.ModelPriceService',
          definition: aiUsageV1.ModelPriceServiceService,
          implementation: modelPriceServiceHandlers(
            rpc,
            new ModelPriceService(dataSource, repos.prices),
          ),
        },
        {
          name: 'nexus.aiusage.v1.BudgetService',
          definition: aiUsageV1.BudgetServiceService,
          implementation: budgetServiceHandlers(rpc, new BudgetService(dataSource, repos.budgets)),
        },
      ];
    },
    // A hard-deleted user's usage is erased as the other services follow deletions.
    consume: async (runtime) => {
      const handler = new UserDeletedHandler(
        new UserUsageEraser(repositories(runtime).budgets),
        runtime.logger,
      );
      return [
        await runEventConsumer({
          kafka: runtime.kafka,
          dataSource: runtime.dataSource,
          logger: runtime.logger,
          service: 'ai-usage',
          groupId: 'nexus-ai-usage',
          topics: [USER_TOPIC],
          handle: (event, tx) => handler.handle(event, tx),
        }),
      ];
    },
  };
}
