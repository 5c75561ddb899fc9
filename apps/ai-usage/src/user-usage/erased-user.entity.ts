import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Users whose hard deletion ai-usage applied. Recording for them afterwards
 * (an AI gateway's late report) is refused, so an erasure stays an erasure.
 */
@Entity({ name: 'erased_users' })
export class ErasedUserEntity {
  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  erasedAt!: Date;
}
