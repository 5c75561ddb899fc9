import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-in attempts counted under one key: a normalised login
 * (`login:ada`, whether or not such a user exists) or a source address
 * (`sign-in-source:10.0.0.7`, `reset-source:...`). Bookkeeping like
 * sign_in_states, not a resource: no version, no event.
 */
@Entity({ name: 'sign_in_throttles' })
export class SignInThrottleEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_sign_in_throttles' })
  key!: string;

  /** Attempts counted since the count last started, an attempt still being checked included. */
  @Column({ type: 'integer' })
  failures!: number;

  /** Pruning finds forgotten counts by it. */
  @Index('IDX_sign_in_throttles_last_failure_at')
  @Column({ type: 'timestamptz', precision: 3 })
  lastFailureAt!: Date;
}
