import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed password attempts on one link share (the key is the link's id),
 * counted by the kit's AttemptThrottle. Bookkeeping, not a resource: no
 * version, no event; pruned once forgotten, so a deleted link's count goes too.
 */
@Entity({ name: 'link_password_throttles' })
export class LinkPasswordThrottleEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_link_password_throttles' })
  key!: string;

  /** Attempts counted since the count last started, an attempt still being checked included. */
  @Column({ type: 'integer' })
  failures!: number;

  /** Pruning finds forgotten counts by it. */
  @Index('IDX_link_password_throttles_last_failure_at')
  @Column({ type: 'timestamptz', precision: 3 })
  lastFailureAt!: Date;
}
