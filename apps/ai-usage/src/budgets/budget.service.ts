import type { DataSource } from 'typeorm';
import { KitError, type IdempotencyKey, type Principal } from '@nexus/core';
import {
  inTransaction,
  violatedUniqueConstraint,
  type CrudRepository,
  type Page,
  type Tx,
} from '@nexus/db';
import { AiUsageError } from '../ai-usage.errors';
import { checkAdmin, readableUser, readsEveryone } from '../interactions/interaction-access';
import type { Module } from '../interactions/interaction.entity';
import type { BudgetEntity, BudgetScope } from './budget.entity';

export interface NewBudget {
  scope: BudgetScope;
  userId?: string;
  module?: Module;
  amount: { amount: string; currencyCode: string };
}

export interface BudgetFilters {
  scope?: BudgetScope;
  userId?: string;
  module?: Module;
}

/** Admins set budgets; managers read all; users read the budgets set on themselves. */
export class BudgetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly budgets: CrudRepository<BudgetEntity>,
  ) {}

  async create(caller: Principal, input: NewBudget, key?: IdempotencyKey): Promise<BudgetEntity> {
    checkAdmin(caller, 'set budgets');
    return this.write(caller, async (tx) => {
      const { entity } = await this.budgets.create(
        tx,
        {
          scope: input.scope,
          userId: input.userId ?? null,
          module: input.module ?? null,
          amount: input.amount.amount,
          currency: input.amount.currencyCode,
          lastExceededPeriod: null,
          lastExceededAt: null,
        },
        key,
      );
      return entity;
    });
  }

  async get(caller: Principal, id: string): Promise<BudgetEntity> {
    const budget = await this.budgets.get(id);
    if (!readsEveryone(caller) && budget.userId !== caller.userId) {
      throw KitError.denied('users read only the budgets set on themselves');
    }
    return budget;
  }

  list(
    caller: Principal,
    query: { filters: BudgetFilters; pageSize: number; pageToken: string; includeTotal: boolean },
  ): Promise<Page<BudgetEntity>> {
    const filters: BudgetFilters = { ...query.filters };
    if (!readsEveryone(caller)) {
      filters.userId = readableUser(caller, filters.userId);
      filters.scope = 'user';
    }
    return this.budgets.list({
      filter: (qb) => {
        if (filters.scope) qb.andWhere('e.scope = :scope', { scope: filters.scope });
        if (filters.userId) qb.andWhere('e.user_id = :userId', { userId: filters.userId });
        if (filters.module) qb.andWhere('e.module = :module', { module: filters.module });
      },
      filterValues: filters,
      order: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
    });
  }

  async update(caller: Principal, id: string, etag: string, amount: string, currency: string) {
    checkAdmin(caller, 'change budgets');
    return this.write(caller, (tx) =>
      this.budgets.update(tx, id, {
        etag: etag || undefined,
        apply: (budget) => {
          if (currency !== budget.currency) {
            throw KitError.invalid([
              {
                field: 'budget.amount.currency_code',
                description: `must stay ${budget.currency}; create a new budget for another currency`,
                reason: 'IMMUTABLE',
              },
            ]);
          }
          budget.amount = amount;
        },
      }),
    );
  }

  async delete(caller: Principal, id: string, etag: string): Promise<void> {
    checkAdmin(caller, 'delete budgets');
    await this.write(caller, (tx) =>
      this.budgets.delete(tx, id, { soft: false, etag: etag || undefined }),
    );
  }

  private async write<T>(caller: Principal, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.dataSource, caller.userId, work);
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      if (
        constraint === 'UQ_budgets_user_currency' ||
        constraint === 'UQ_budgets_module_currency'
      ) {
        throw new AiUsageError(
          'BUDGET_EXISTS',
          'a budget for this user or module in this currency already exists',
          [{ field: 'budget', description: 'already has a budget', reason: 'TAKEN' }],
        );
      }
      throw error;
    }
  }
}
