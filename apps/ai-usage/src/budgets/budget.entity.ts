import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import { MODULES, type Module } from '../interactions/interaction.entity';

export const BUDGET_SCOPES = ['user', 'module'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/**
 * A monthly cost budget for one user or one module, in one currency. At most
 * one per (user, currency) and per (module, currency): two would make
 * "the budget was exceeded" ambiguous.
 */
@Entity({ name: 'budgets' })
@Check(
  'CHK_budgets_scope_target',
  `(scope = 'user' AND user_id IS NOT NULL AND module IS NULL) OR (scope = 'module' AND module IS NOT NULL AND user_id IS NULL)`,
)
@Check('CHK_budgets_amount', 'amount > 0')
@Index('IDX_budgets_created_at_id', ['createdAt', 'id'])
@Index('UQ_budgets_user_currency', ['userId', 'currency'], {
  unique: true,
  where: `"scope" = 'user'`,
})
@Index('UQ_budgets_module_currency', ['module', 'currency'], {
  unique: true,
  where: `"scope" = 'module'`,
})
export class BudgetEntity extends BaseEntity {
  @Column({ type: 'enum', enum: BUDGET_SCOPES, enumName: 'ai_budget_scope' })
  scope!: BudgetScope;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'enum', enum: MODULES, enumName: 'ai_module', nullable: true })
  module!: Module | null;

  @Column({ type: 'numeric', precision: 20, scale: 4 })
  amount!: string;

  @Column({ type: 'text' })
  currency!: string;

  /** YYYY-MM of the last month the budget was exceeded. */
  @Column({ type: 'text', nullable: true })
  lastExceededPeriod!: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastExceededAt!: Date | null;
}
