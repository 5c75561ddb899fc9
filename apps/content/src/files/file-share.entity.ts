import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ShareColumns } from '../sharing/share-columns';
import { FileEntity } from './file.entity';

/** A user's role on a file (viewer or editor). The user_id index serves the read rule and the user cascade. */
@Entity({ name: 'file_shares' })
@Index('IDX_file_shares_user_id', ['userId'])
export class FileShareEntity extends ShareColumns {
  @PrimaryColumn({ type: 'uuid' })
  fileId!: string;

  @ManyToOne(() => FileEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'file_id' })
  file?: FileEntity;
}
