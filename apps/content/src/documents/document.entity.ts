import { Check, Column, Entity, Index } from 'typeorm';
import { SearchVectorColumn, SoftDeletableEntity, searchVectorSql } from '@nexus/db';
import type { DocumentShareEntity } from './document-share.entity';

export const DOCUMENT_KINDS = ['document', 'spreadsheet', 'presentation'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * The searchable text of a document's content, per kind: the SQL function
 * `content.document_text(kind, content)` (created by the search migration;
 * docs/content.md#search names the text nodes of each kind).
 */
export const DOCUMENT_TEXT_SQL = (alias?: string) => {
  const column = (name: string) => (alias ? `"${alias}"."${name}"` : `"${name}"`);
  return `"content"."document_text"(${column('kind')}, ${column('content')})`;
};

/** What SearchDocuments matches: the title above the text of the content. */
export const DOCUMENT_SEARCH = searchVectorSql('content', [
  { sql: '"title"', weight: 'A' },
  { sql: DOCUMENT_TEXT_SQL(), weight: 'B' },
]);

/**
 * A document: the Word/Excel/PowerPoint of the original design, its body as
 * JSON. Versions and shares are child tables of this aggregate root. The
 * title pattern index serves ListDocuments' prefix filter; TypeORM cannot
 * express operator classes, so it lives in the migration only.
 */
@Entity({ name: 'documents' })
@Check('CHK_documents_trash', '("deleted_at" IS NULL) = ("purge_at" IS NULL)')
@Index('IDX_documents_updated_at_id', ['updatedAt', 'id'])
@Index('IDX_documents_created_at_id', ['createdAt', 'id'])
@Index('IDX_documents_title_id', ['title', 'id'])
@Index('IDX_documents_owner_id', ['ownerId'])
@Index('IDX_documents_kind', ['kind'])
@Index('IDX_documents_purge_at', ['purgeAt'])
@Index('IDX_documents_title_pattern', { synchronize: false })
// GIN indexes of the search vector and of the title's trigrams: created by the migration.
@Index('IDX_documents_search', { synchronize: false })
@Index('IDX_documents_title_trgm', { synchronize: false })
export class DocumentEntity extends SoftDeletableEntity {
  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'enum', enum: DOCUMENT_KINDS, enumName: 'document_kind' })
  kind!: DocumentKind;

  @Column({ type: 'jsonb', default: {} })
  content!: Record<string, unknown>;

  @Column({ type: 'uuid' })
  ownerId!: string;

  /** Number of the newest row in document_versions. */
  @Column({ type: 'integer', default: 1 })
  currentVersion!: number;

  /** Set with deletedAt: when the retention job erases the trashed document. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  purgeAt!: Date | null;

  @SearchVectorColumn(DOCUMENT_SEARCH)
  readonly searchVector?: unknown;

  /** Not a column: loaded by DocumentStore so events and responses carry the access list. */
  shares?: DocumentShareEntity[];
}
