import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Users the users service reported deleted. Their messages and emails stay;
 * reads mark them as from a deleted sender by looking the author up here,
 * so the cascade does not rewrite every row they ever wrote.
 */
@Entity({ name: 'deleted_users' })
export class DeletedUserEntity {
  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  deletedAt!: Date;
}
