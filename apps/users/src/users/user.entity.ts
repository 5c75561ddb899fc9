import { Column, Entity, Index } from 'typeorm';
import { ROLES, type Role } from '@nexus/core';
import { BaseEntity } from '@nexus/db';

/**
 * A platform user. Email and username are stored lower-cased, which makes
 * their unique indexes case-insensitive. The pattern indexes serve the
 * prefix filters of ListUsers; TypeORM cannot express operator classes, so
 * they live in the migration only (synchronize: false). Sign-in bookkeeping
 * is not part of the resource: see SignInStateEntity.
 */
@Entity({ name: 'users' })
@Index('IDX_users_created_at_id', ['createdAt', 'id'])
@Index('IDX_users_role', ['role'])
@Index('IDX_users_email_pattern', { synchronize: false })
@Index('IDX_users_username_pattern', { synchronize: false })
@Index('IDX_users_full_name_pattern', { synchronize: false })
export class UserEntity extends BaseEntity {
  @Index('UQ_users_email', { unique: true })
  @Column({ type: 'text' })
  email!: string;

  @Index('UQ_users_username', { unique: true })
  @Column({ type: 'text' })
  username!: string;

  /** argon2id PHC string; never leaves this service. */
  @Column({ type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text', default: '' })
  fullName!: string;

  @Column({ type: 'enum', enum: ROLES, enumName: 'user_role', default: 'user' })
  role!: Role;

  @Column({ type: 'jsonb', default: {} })
  preferences!: Record<string, unknown>;

  @Column({ type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'boolean', default: false })
  emailVerified!: boolean;
}
