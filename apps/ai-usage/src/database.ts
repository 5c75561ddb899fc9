import { BudgetAlertEntity } from './budgets/budget-alert.entity';
import { BudgetEntity } from './budgets/budget.entity';
import { AiInteractionEntity } from './interactions/interaction.entity';
import { MIGRATIONS } from './migrations';
import { ModelPriceEntity } from './prices/model-price.entity';
import { UsageDailyEntity } from './usage/usage-daily.entity';
import { ErasedUserEntity } from './user-usage/erased-user.entity';

/** The ai_usage schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'ai_usage',
  entities: [
    AiInteractionEntity,
    ModelPriceEntity,
    UsageDailyEntity,
    BudgetEntity,
    BudgetAlertEntity,
    ErasedUserEntity,
  ],
  migrations: MIGRATIONS,
};
