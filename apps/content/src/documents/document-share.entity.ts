import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ShareColumns } from '../sharing/share-columns';
import { DocumentEntity } from './document.entity';

export type { ShareRole } from '../sharing/share-columns';

/** A user's role on a document. The user_id index serves "shared with me" and the user cascade. */
@Entity({ name: 'document_shares' })
@Index('IDX_document_shares_user_id', ['userId'])
export class DocumentShareEntity extends ShareColumns {
  @PrimaryColumn({ type: 'uuid' })
  documentId!: string;

  @ManyToOne(() => DocumentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id' })
  document?: DocumentEntity;
}
