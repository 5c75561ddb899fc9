import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { UserEntity } from '../users/user.entity';

/** A single-use email verification token; only its SHA-256 is stored. */
@Entity({ name: 'email_verifications' })
export class EmailVerificationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('IDX_email_verifications_user_id')
  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_email_verifications_user' })
  user?: UserEntity;

  /** The email the token was issued for: verifying proves this address. */
  @Column({ type: 'text' })
  email!: string;

  @Index('UQ_email_verifications_token_hash', { unique: true })
  @Column({ type: 'text' })
  tokenHash!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
