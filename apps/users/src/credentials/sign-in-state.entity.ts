import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';

/**
 * A user's sign-in bookkeeping. It lives beside the user, not on it: a
 * sign-in (anyone's attempt, with the right password or not) is not a change
 * of the user resource, so it must not move its version (etag) nor publish
 * an event. A user who never tried to sign in has no row.
 */
@Entity({ name: 'sign_in_states' })
export class SignInStateEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_sign_in_states' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sign_in_states_user' })
  user?: UserEntity;

  /** Wrong passwords since the last right one. */
  @Column({ type: 'integer', default: 0 })
  failedLoginCount!: number;

  /** The last successful sign-in of the account while active. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastLoginAt!: Date | null;
}
