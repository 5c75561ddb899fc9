import type { CrudRepository, Tx } from '@nexus/db';
import type { AiInteractionEntity } from '../interactions/interaction.entity';
import { effectiveCost } from '../interactions/interaction.mapping';
import { queryPrepared } from '@nexus/db';
import type { BudgetEntity } from './budget.entity';

/** The UTC calendar month of a time, YYYY-MM: a budget's period. */
export function periodOf(time: Date): string {
  return time.toISOString().slice(0, 7);
}

/** [first day, first day of the next month) of a YYYY-MM period. */
export function periodDays(period: string): [string, string] {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const next = new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
  return [`${period}-01`, next];
}

interface LockedBudget {
  id: string;
  scope: 'user' | 'module';
  user_id: string | null;
  module: string | null;
  amount: string;
  currency: string;
}

/**
 * After new interactions are in the rollup (same transaction): for every
 * budget they count against, sum the period's spend and, when it is over the
 * amount, claim the (budget, period) alert row; the one transaction that
 * claims it emits `budget.exceeded`. Budgets are locked first, in id order,
 * so concurrent recorders under one budget take turns and the last of them
 * sees everyone's committed spend: a crossing is never missed nor doubled.
 */
export async function checkBudgets(
  tx: Tx,
  budgets: CrudRepository<BudgetEntity>,
  interactions: readonly AiInteractionEntity[],
): Promise<void> {
  const touched = interactions.flatMap((interaction) => {
    const cost = effectiveCost(interaction);
    return cost
      ? [{ interaction, currency: cost.currency, period: periodOf(interaction.startedAt) }]
      : [];
  });
  if (touched.length === 0) return;
  const locked = await queryPrepared<LockedBudget>(
    tx.manager,
    `SELECT id, scope, user_id, module, amount::text AS amount, currency
       FROM "ai_usage"."budgets"
      WHERE (scope = 'user' AND user_id = ANY($1::uuid[]))
         OR (scope = 'module' AND module = ANY($2::"ai_usage"."ai_module"[]))
      ORDER BY id
        FOR UPDATE`,
    [
      [...new Set(touched.map((t) => t.interaction.userId))],
      [...new Set(touched.map((t) => t.interaction.module))],
    ],
  );

  for (const budget of locked) {
    const periods = new Set(
      touched
        .filter(
          (t) =>
            t.currency === budget.currency &&
            (budget.scope === 'user'
              ? t.interaction.userId === budget.user_id
              : t.interaction.module === budget.module),
        )
        .map((t) => t.period),
    );
    for (const period of [...periods].sort()) {
      const [from, to] = periodDays(period);
      const [{ exceeded }] = await tx.manager.query<[{ exceeded: boolean }]>(
        `SELECT coalesce(sum(cost), 0) > $1::numeric AS exceeded
           FROM "ai_usage"."usage_daily"
          WHERE currency = $2 AND day >= $3::date AND day < $4::date
            AND ${budget.scope === 'user' ? 'user_id = $5::uuid' : 'module = $5::"ai_usage"."ai_module"'}`,
        [budget.amount, budget.currency, from, to, budget.user_id ?? budget.module],
      );
      if (!exceeded) continue;
      const claimed = await tx.manager.query<unknown[]>(
        `INSERT INTO "ai_usage"."budget_alerts" (budget_id, period) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING budget_id`,
        [budget.id, period],
      );
      if (claimed.length === 0) continue;
      await budgets.update(tx, budget.id, {
        verb: 'exceeded',
        force: true,
        apply: (entity) => {
          // A late interaction can cross an earlier month: never move backwards.
          if (!entity.lastExceededPeriod || period >= entity.lastExceededPeriod) {
            entity.lastExceededPeriod = period;
            entity.lastExceededAt = new Date();
          }
        },
      });
    }
  }
}
