import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ShareColumns } from '../sharing/share-columns';
import { FolderEntity } from './folder.entity';

/**
 * A user's role on a folder and everything inside it, at any depth. The
 * user_id index starts the read rule's walk down from the folders shared
 * with the caller.
 */
@Entity({ name: 'folder_shares' })
@Index('IDX_folder_shares_user_id', ['userId'])
export class FolderShareEntity extends ShareColumns {
  @PrimaryColumn({ type: 'uuid' })
  folderId!: string;

  @ManyToOne(() => FolderEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'folder_id' })
  folder?: FolderEntity;
}
