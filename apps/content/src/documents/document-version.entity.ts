import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import type { ContentDelta } from './version-delta';
import { DocumentEntity } from './document.entity';

/**
 * One version of a document, stored compactly (version-history.ts): either a
 * snapshot (`content`, the whole body; every row written before compact
 * storage is one) or a `delta` against the kept version `baseNumber`.
 * A trigger refuses any change of what a version says (its number, title,
 * author, note, time); only `keepForever` and the storage of the same content
 * (a delta turned into a snapshot when retention prunes its base) change.
 */
@Entity({ name: 'document_versions' })
@Check('CHK_document_versions_storage', '("content" IS NULL) = ("delta" IS NOT NULL)')
@Check('CHK_document_versions_base', '("delta" IS NULL) = ("base_number" IS NULL)')
@Index('IDX_document_versions_created_at', ['createdAt'])
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

  /** The whole body (a snapshot); null when the version is stored as a delta. */
  @Column({ type: 'jsonb', nullable: true })
  content!: Record<string, unknown> | null;

  /** The change of the canonical JSON text against version `baseNumber`. */
  @Column({ type: 'jsonb', nullable: true })
  delta!: ContentDelta | null;

  @Column({ type: 'integer', nullable: true })
  baseNumber!: number | null;

  /** Deltas between this version and its snapshot when it was written (0: a snapshot); an upper bound. */
  @Column({ type: 'integer', default: 0 })
  chainLength!: number;

  @Column({ type: 'boolean', default: false })
  keepForever!: boolean;

  /** Null when the system made the version. */
  @Column({ type: 'uuid', nullable: true })
  authorId!: string | null;

  @Column({ type: 'text', default: '' })
  note!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
