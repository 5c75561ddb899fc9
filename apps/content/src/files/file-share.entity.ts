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
import { FileEntity } from './file.entity';

/** A user's role on a file (viewer or editor). The user_id index serves the read rule and the user cascade. */
@Entity({ name: 'file_shares' })
@Index('IDX_file_shares_user_id', ['userId'])
export class FileShareEntity {
  @PrimaryColumn({ type: 'uuid' })
  fileId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => FileEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'file_id' })
  file?: FileEntity;

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
