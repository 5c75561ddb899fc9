import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import type { FolderShareEntity } from './folder-share.entity';

/**
 * A folder: a tree per owner (parent_id null at the root). Files point to
 * their folder; a folder share reaches everything below it, which the read
 * rule (file-access.ts) walks in SQL with a recursive query over parent_id.
 */
@Entity({ name: 'folders' })
@Index('IDX_folders_parent_id_name_id', ['parentId', 'name', 'id'])
@Index('IDX_folders_owner_id_name_id', ['ownerId', 'name', 'id'])
export class FolderEntity extends BaseEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'uuid', nullable: true })
  parentId!: string | null;

  @ManyToOne(() => FolderEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id' })
  parent?: FolderEntity;

  @Column({ type: 'uuid' })
  ownerId!: string;

  /** Not a column: loaded by the folders' store so responses and events carry the access list. */
  shares?: FolderShareEntity[];
}
