import type { DataSource } from 'typeorm';
import type { Principal } from '@nexus/core';
import { inTransaction, type CrudRepository } from '@nexus/db';
import type { BudgetEntity } from '../budgets/budget.entity';
import { checkAdmin } from '../interactions/interaction-access';
import type { AiInteractionEntity } from '../interactions/interaction.entity';
import type { ErasedUsage, UserUsageEraser } from './user-usage-eraser';

export interface UserUsageExport {
  /** Only on the first page. */
  budgets: BudgetEntity[];
  interactions: AiInteractionEntity[];
  nextPageToken: string;
}

/**
 * An admin's view of one user's AI usage as personal data: export all of it
 * (access requests), or erase it (the same erasure as a hard user deletion).
 */
export class UserUsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly interactions: CrudRepository<AiInteractionEntity>,
    private readonly budgets: CrudRepository<BudgetEntity>,
    private readonly eraser: UserUsageEraser,
  ) {}

  /**
   * One page of the user's interactions, oldest first by start time then id
   * (keyset: interactions are immutable, so a page never shifts while an
   * export walks a long history), with their budgets on the first page.
   */
  async export(
    caller: Principal,
    query: { userId: string; pageSize: number; pageToken: string },
  ): Promise<UserUsageExport> {
    checkAdmin(caller, "export a user's AI usage");
    const { userId } = query;
    const page = await this.interactions.list({
      filter: (qb) => qb.andWhere('e.user_id = :userId', { userId }),
      filterValues: { export: userId },
      order: { key: 'export_start_time_asc', property: 'startedAt', direction: 'ASC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
    });
    const budgets = query.pageToken
      ? []
      : (
          await this.budgets.list({
            filter: (qb) => qb.andWhere('e.user_id = :userId', { userId }),
            filterValues: { userId },
            order: { key: 'create_time_asc', property: 'createdAt', direction: 'ASC' },
            // At most one budget per user and currency.
            pageSize: 10_000,
            pageToken: '',
          })
        ).items;
    return { budgets, interactions: page.items, nextPageToken: page.nextPageToken };
  }

  async erase(caller: Principal, userId: string): Promise<ErasedUsage> {
    checkAdmin(caller, "erase a user's AI usage");
    return inTransaction(this.dataSource, caller.userId, (tx) => this.eraser.erase(tx, userId));
  }
}
