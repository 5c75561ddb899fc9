import { defineAggregate, type JsonObject } from '@nexus/db';
import { aiUsageV1 } from '@nexus/proto';
import type { BudgetEntity } from './budget.entity';
import { toBudgetMessage } from './budget.mapping';

/**
 * Events on `nexus.ai-usage.budget`: created, updated, deleted, and
 * `exceeded` once per budget and month, each carrying the Budget in proto3 JSON.
 */
export const budgetAggregate = defineAggregate<BudgetEntity>({
  service: 'ai-usage',
  name: 'budget',
  toResource: (budget) => aiUsageV1.Budget.toJSON(toBudgetMessage(budget)) as JsonObject,
});
