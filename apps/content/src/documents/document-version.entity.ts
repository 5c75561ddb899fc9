import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DocumentEntity } from './document.entity';

/**
 * One immutable version of a document (a trigger in the migration refuses
 * UPDATE). Restoring an old version appends a new row equal to it.
 */
@Entity({ name: 'document_versions' })
export class DocumentVersionEntity {
  @PrimaryColumn({ type: 'uuid' })
  documentId!: string;

  @PrimaryColumn({ type: 'integer' })
  number!: number;

  @ManyToOne(() => DocumentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id' })
  document?: DocumentEntity;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'jsonb' })
  content!: Record<string, unknown>;

  /** Null when the system made the version. */
  @Column({ type: 'uuid', nullable: true })
  authorId!: string | null;

  @Column({ type: 'text', default: '' })
  note!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
