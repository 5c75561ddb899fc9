import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { SHARE_ROLES, type ShareRole } from '../documents/document-share.entity';
import { FolderEntity } from './folder.entity';

/**
 * A user's role on a folder and everything inside it, at any depth. The
 * user_id index starts the read rule's walk down from the folders shared
 * with the caller.
 */
@Entity({ name: 'folder_shares' })
@Index('IDX_folder_shares_user_id', ['userId'])
export class FolderShareEntity {
  @PrimaryColumn({ type: 'uuid' })
  folderId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => FolderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'folder_id' })
  folder?: FolderEntity;

  @Column({ type: 'enum', enum: SHARE_ROLES, enumName: 'share_role' })
  role!: ShareRole;

  /** Null when the system changed it. */
  @Column({ type: 'uuid', nullable: true })
  grantedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;
}
