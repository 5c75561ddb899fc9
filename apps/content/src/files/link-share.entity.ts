import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import { FileEntity } from './file.entity';

/**
 * A link to a file for whoever holds its token. Only the token's SHA-256 is
 * kept (256 random bits need no slow hash; the unique index finds it); the
 * password, when there is one, is an scrypt hash. Neither is ever selected
 * into the LinkShare resource, so no event carries them.
 */
@Entity({ name: 'link_shares' })
@Check(
  'CHK_link_shares_downloads',
  '"download_count" >= 0 AND ("download_limit" IS NULL OR "download_count" <= "download_limit")',
)
@Index('IDX_link_shares_token_hash', ['tokenHash'], { unique: true })
@Index('IDX_link_shares_file_id_created_at', ['fileId', 'createdAt'])
export class LinkShareEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  fileId!: string;

  @ManyToOne(() => FileEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'file_id' })
  file?: FileEntity;

  /** Lower-case hex SHA-256 of the token. */
  @Column({ type: 'char', length: 64, select: false })
  tokenHash?: string;

  /** scrypt, `salt$hash` in base64; null without a password. */
  @Column({ type: 'text', nullable: true, select: false })
  passwordHash?: string | null;

  @Column({ type: 'boolean', default: false })
  passwordProtected!: boolean;

  @Column({ type: 'uuid' })
  createdBy!: string;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'bigint', nullable: true })
  downloadLimit!: string | null;

  /** Incremented in place by downloads, never past the limit (one conditional UPDATE). */
  @Column({ type: 'bigint', default: '0' })
  downloadCount!: string;
}
