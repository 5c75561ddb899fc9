import { CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BudgetEntity } from './budget.entity';

/**
 * The guard that makes `budget.exceeded` fire once per budget and month: the
 * row is inserted (ON CONFLICT DO NOTHING) in the transaction that crosses
 * the budget, and only the transaction that inserts it emits the event.
 */
@Entity({ name: 'budget_alerts' })
export class BudgetAlertEntity {
  @PrimaryColumn({ type: 'uuid' })
  budgetId!: string;

  /** YYYY-MM (UTC). */
  @PrimaryColumn({ type: 'text' })
  period!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @ManyToOne(() => BudgetEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'budget_id', foreignKeyConstraintName: 'FK_budget_alerts_budget' })
  budget?: BudgetEntity;
}
