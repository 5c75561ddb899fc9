import type { CrudRepository, Tx } from '@nexus/db';
import type { BudgetEntity } from '../budgets/budget.entity';
import { interactionAggregate } from '../interactions/interaction.aggregate';
import { deleteInteractions, interactionsOf } from '../interactions/interaction.store';
import { anonymiseRollup } from '../usage/rollup';

/** What one erasure removed; all zero when there was nothing left. */
export interface ErasedUsage {
  interactions: number;
  budgets: number;
  rollupRows: number;
}

/**
 * Interactions deleted per statement: bounds the memory an erasure of a
 * long history holds at once (each chunk's events are written before the next).
 */
const CHUNK = 1000;

/**
 * Erases what ai-usage keeps about one user, in the caller's transaction:
 * their interactions and the budgets set on them go, one `deleted` event
 * each, and their daily rollup rows are folded into the erased-user id, so
 * totals by module, model and day and module budgets keep counting what was
 * spent. Used by the cascade of a hard user deletion and by EraseUserUsage.
 * Idempotent: a second run finds nothing and writes nothing.
 *
 * Order as a recording transaction takes its locks (interactions, rollup,
 * budgets), so an erasure and a recording for the same user never wait on
 * each other crosswise.
 */
export class UserUsageEraser {
  constructor(private readonly budgets: CrudRepository<BudgetEntity>) {}

  async erase(tx: Tx, userId: string): Promise<ErasedUsage> {
    const interactions = await this.eraseInteractions(tx, userId);
    const rollupRows = await anonymiseRollup(tx.manager, userId);
    const budgets = await this.eraseBudgets(tx, userId);
    return { interactions, budgets, rollupRows };
  }

  private async eraseInteractions(tx: Tx, userId: string): Promise<number> {
    let erased = 0;
    for (;;) {
      const chunk = await interactionsOf(tx.manager, userId, CHUNK);
      if (chunk.length === 0) return erased;
      const deleted = await deleteInteractions(
        tx.manager,
        chunk.map((interaction) => interaction.id),
      );
      const gone = chunk.filter((interaction) => deleted.has(interaction.id));
      // The events the kit's hard delete writes: the resource before, nothing after.
      await tx.emitMany(
        interactionAggregate,
        'deleted',
        gone.map((interaction) => ({
          subject: interaction.id,
          before: interactionAggregate.toResource(interaction),
          after: null,
        })),
      );
      erased += gone.length;
    }
  }

  private async eraseBudgets(tx: Tx, userId: string): Promise<number> {
    const page = await this.budgets.list(
      {
        filter: (qb) => qb.andWhere('e.user_id = :userId', { userId }),
        filterValues: { userId },
        order: { key: 'id', property: 'id', direction: 'ASC' },
        // At most one budget per user and currency.
        pageSize: 10_000,
        pageToken: '',
      },
      tx.manager,
    );
    for (const budget of page.items) await this.budgets.delete(tx, budget.id, { soft: false });
    return page.items.length;
  }
}
