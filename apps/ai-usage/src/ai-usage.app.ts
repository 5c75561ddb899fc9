import { CrudRepository } from '@nexus/db';
import { aiUsageV1 } from '@nexus/proto';
import type { ServiceSpec } from '@nexus/runtime';
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

/** The ai-usage service: interactions priced at record time, rollups, prices and budgets. */
export function aiUsageService(config: AiUsageConfig): ServiceSpec {
  return {
    name: 'ai-usage',
    ...database,
    aggregates: [interactionAggregate, modelPriceAggregate, budgetAggregate],
    bind: ({ dataSource, pageTokens, rpc }) => {
      const interactionRepository = new CrudRepository(
        dataSource,
        AiInteractionEntity,
        interactionAggregate,
        pageTokens,
      );
      const priceRepository = new CrudRepository(
        dataSource,
        ModelPriceEntity,
        modelPriceAggregate,
        pageTokens,
        'model price',
      );
      const budgetRepository = new CrudRepository(
        dataSource,
        BudgetEntity,
        budgetAggregate,
        pageTokens,
      );
      const interactions = new InteractionService(
        dataSource,
        interactionRepository,
        budgetRepository,
        config.capturePrompts,
      );
      return [
        {
          name: 'nexus.aiusage.v1.AiUsageService',
          definition: aiUsageV1.AiUsageServiceService,
          implementation: aiUsageServiceHandlers(
            rpc,
            interactions,
            new UsageSummaryService(dataSource),
          ),
        },
        {
          name: 'nexus.aiusage.v1.ModelPriceService',
          definition: aiUsageV1.ModelPriceServiceService,
          implementation: modelPriceServiceHandlers(
            rpc,
            new ModelPriceService(dataSource, priceRepository),
          ),
        },
        {
          name: 'nexus.aiusage.v1.BudgetService',
          definition: aiUsageV1.BudgetServiceService,
          implementation: budgetServiceHandlers(
            rpc,
            new BudgetService(dataSource, budgetRepository),
          ),
        },
      ];
    },
  };
}
