import { etagOf } from '@nexus/db';
import { aiUsageV1 } from '@nexus/proto';
import { normalizeDecimal } from '@nexus/core';
import { MODULE_TO_PROTO, SCOPE_TO_PROTO } from '../enums';
import type { BudgetEntity } from './budget.entity';

export function toBudgetMessage(budget: BudgetEntity): aiUsageV1.Budget {
  return {
    id: budget.id,
    scope: SCOPE_TO_PROTO[budget.scope],
    userId: budget.userId ?? '',
    module: budget.module ? MODULE_TO_PROTO[budget.module] : aiUsageV1.Module.MODULE_UNSPECIFIED,
    amount: { amount: normalizeDecimal(budget.amount), currencyCode: budget.currency },
    lastExceededPeriod: budget.lastExceededPeriod ?? '',
    lastExceededTime: budget.lastExceededAt ?? undefined,
    createTime: budget.createdAt,
    updateTime: budget.updatedAt,
    etag: etagOf(budget),
  };
}
