import { aiUsageV1 } from '@nexus/proto';
import type { BudgetScope } from './budgets/budget.entity';
import type { InteractionStatus, Module, Operation } from './interactions/interaction.entity';

/** Proto enums <-> the domain's names, both ways, in one place. */

export const MODULE_TO_PROTO: Record<Module, aiUsageV1.Module> = {
  documents: aiUsageV1.Module.MODULE_DOCUMENTS,
  email: aiUsageV1.Module.MODULE_EMAIL,
  chat: aiUsageV1.Module.MODULE_CHAT,
  projects: aiUsageV1.Module.MODULE_PROJECTS,
  tasks: aiUsageV1.Module.MODULE_TASKS,
  files: aiUsageV1.Module.MODULE_FILES,
  other: aiUsageV1.Module.MODULE_OTHER,
};

export const OPERATION_TO_PROTO: Record<Operation, aiUsageV1.Operation> = {
  chat: aiUsageV1.Operation.OPERATION_CHAT,
  completion: aiUsageV1.Operation.OPERATION_COMPLETION,
  embedding: aiUsageV1.Operation.OPERATION_EMBEDDING,
  image: aiUsageV1.Operation.OPERATION_IMAGE,
  other: aiUsageV1.Operation.OPERATION_OTHER,
};

export const STATUS_TO_PROTO: Record<InteractionStatus, aiUsageV1.InteractionStatus> = {
  success: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
  error: aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR,
};

export const SCOPE_TO_PROTO: Record<BudgetScope, aiUsageV1.BudgetScope> = {
  user: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
  module: aiUsageV1.BudgetScope.BUDGET_SCOPE_MODULE,
};

export function inverse<K extends string, V extends number>(map: Record<K, V>): Map<number, K> {
  return new Map(Object.entries(map).map(([name, value]) => [value as number, name as K]));
}
