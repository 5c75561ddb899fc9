import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { SearchVectorColumn, SoftDeletableEntity, searchVectorSql } from '@nexus/db';
import type { FileShareEntity } from './file-share.entity';
import { FolderEntity } from './folder.entity';

/**
 * What SearchFiles matches: the name (its dots, dashes and underscores read
 * as spaces, so `q3-budget.txt` has the words q3, budget, txt) above the
 * text of a plain-text file (searchText).
 */
export const FILE_SEARCH = searchVectorSql('content', [
  { sql: `translate("name", '._-', '   ')`, weight: 'A' },
  { sql: '"search_text"', weight: 'B' },
]);

/**
 * A stored file: metadata here, bytes in the blob store under their SHA-256.
 * Many files may share one blob. Sizes and counts are bigint (strings in
 * JavaScript, so nothing is rounded). The name and MIME pattern indexes
 * serve ListFiles' prefix filters and live in the migration only. Shares
 * are child rows of this aggregate (file_shares); DeleteFile moves it to
 * the trash (deleted_at, purge_at), PurgeFile and the retention job erase it.
 */
@Entity({ name: 'files' })
@Check('CHK_files_sha256_hex', `"sha256" ~ '^[0-9a-f]{64}$'`)
@Check('CHK_files_counts', '"size_bytes" >= 0 AND "download_count" >= 0')
@Check('CHK_files_trash', '("deleted_at" IS NULL) = ("purge_at" IS NULL)')
@Index('IDX_files_created_at_id', ['createdAt', 'id'])
@Index('IDX_files_name_id', ['name', 'id'])
@Index('IDX_files_size_bytes_id', ['sizeBytes', 'id'])
@Index('IDX_files_owner_id', ['ownerId'])
@Index('IDX_files_sha256', ['sha256'])
@Index('IDX_files_is_public', ['isPublic'])
@Index('IDX_files_folder_id', ['folderId'])
@Index('IDX_files_purge_at', ['purgeAt'])
@Index('IDX_files_name_pattern', { synchronize: false })
@Index('IDX_files_mime_type_pattern', { synchronize: false })
// GIN indexes of the search vector and of the name's trigrams: created by the migration.
@Index('IDX_files_search', { synchronize: false })
@Index('IDX_files_name_trgm', { synchronize: false })
export class FileEntity extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  mimeType!: string;

  @Column({ type: 'bigint' })
  sizeBytes!: string;

  /** Lower-case hex; the blob's key. */
  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'boolean', default: false })
  isPublic!: boolean;

  /** The folder it is in (folders.id); null at the root. */
  @Column({ type: 'uuid', nullable: true })
  folderId!: string | null;

  @ManyToOne(() => FolderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'folder_id' })
  folder?: FolderEntity;

  /** Set with deletedAt: when the retention job erases the trashed file. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  purgeAt!: Date | null;

  /**
   * The start of a text/* file's bytes as text (file-text.ts), for search;
   * empty for other files. Never selected: only the search reads it.
   */
  @Column({ type: 'text', default: '', select: false })
  searchText?: string;

  /** Incremented in place by downloads; not an edit, so the etag stays. */
  @Column({ type: 'bigint', default: '0' })
  downloadCount!: string;

  @SearchVectorColumn(FILE_SEARCH)
  readonly searchVector?: unknown;

  /** Not a column: loaded by the files' store so responses and events carry the access list. */
  shares?: FileShareEntity[];
}
