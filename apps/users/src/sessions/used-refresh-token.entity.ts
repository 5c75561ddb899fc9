import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SessionEntity } from './session.entity';

/**
 * A refresh token that was exchanged already (its SHA-256). Presenting it
 * again means two parties hold the session's tokens, one of them not its
 * user: the session is ended (theft detection, as Keycloak's refresh token
 * rotation does). Goes with its session.
 */
@Entity({ name: 'used_refresh_tokens' })
export class UsedRefreshTokenEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_used_refresh_tokens' })
  tokenHash!: string;

  @Index('IDX_used_refresh_tokens_session_id')
  @Column({ type: 'uuid' })
  sessionId!: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'FK_used_refresh_tokens_session' })
  session?: SessionEntity;

  @Column({ type: 'timestamptz', precision: 3 })
  usedAt!: Date;
}
