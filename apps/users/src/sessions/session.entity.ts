import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import { UserEntity } from '../users/user.entity';

/**
 * A signed-in session: one sign-in and the chain of refresh tokens rotated
 * from it. Only the SHA-256 of the current refresh token is kept here (the
 * ones it replaced are in UsedRefreshTokenEntity, to recognise a reuse).
 * Erasing the user erases its sessions (after they were ended, each with its
 * event, in the same transaction).
 */
@Entity({ name: 'sessions' })
@Index('IDX_sessions_user_id_created_at_id', ['userId', 'createdAt', 'id'])
export class SessionEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_sessions_user' })
  user?: UserEntity;

  /** What signed in (the request's `client` or its user-agent), capped. */
  @Column({ type: 'text', default: '' })
  client!: string;

  /** SHA-256 (hex) of the refresh token that is valid now; never the token. */
  @Index('UQ_sessions_token_hash', { unique: true })
  @Column({ type: 'text' })
  tokenHash!: string;

  /** The sign-in or the last refresh. */
  @Column({ type: 'timestamptz', precision: 3 })
  lastUsedAt!: Date;

  /** The idle timeout: last use + SESSION_IDLE_TIMEOUT_SECONDS (as configured at that use). */
  @Column({ type: 'timestamptz', precision: 3 })
  idleExpiresAt!: Date;

  /** The absolute lifetime: sign-in + SESSION_MAX_LIFETIME_SECONDS; no refresh moves it. */
  @Column({ type: 'timestamptz', precision: 3 })
  absoluteExpiresAt!: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  endedAt!: Date | null;

  /** Why it ended (see SessionEndReason). */
  @Column({ type: 'text', nullable: true })
  endReason!: string | null;
}
