import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { KitError, isAdmin, type Principal } from '@nexus/core';
import { ContentError } from '../content.errors';
import { accessOf, checkWriter, type DocumentAccess } from '../documents/document-access';
import type { ShareRole } from '../documents/document-share.entity';
import { FileEntity } from './file.entity';
import { FOLDERS_SHARED_WITH_READER, folderRoleSql } from './folder-tree';

/** What the caller may do with a file: the documents' levels (owner/admin manage, editors edit). */
export type FileAccess = DocumentAccess;

/**
 * THE file read rule: each entry is one reason a signed-in, non-admin
 * caller (`:reader`) may read the file aliased `e`; a file is readable when
 * any holds. Get, BatchGet, List, Search and Download all go through it
 * (readableFilesWhere, fileAccessOf, readableFileIds). A new kind of grant
 * is one more EXISTS here.
 */
const FILE_READ_GRANTS: readonly string[] = [
  `"e"."owner_id" = :reader`,
  `"e"."is_public"`,
  `EXISTS (SELECT 1 FROM "content"."file_shares" "s" WHERE "s"."file_id" = "e"."id" AND "s"."user_id" = :reader)`,
  `"e"."folder_id" IN (${FOLDERS_SHARED_WITH_READER})`,
  // Received through a message (attachment-grants/): read only, never edit or manage.
  `EXISTS (SELECT 1 FROM "content"."attachment_grants" "g" WHERE "g"."user_id" = :reader AND "g"."file_id" = "e"."id")`,
];

const READABLE = `(${FILE_READ_GRANTS.join(' OR ')})`;

/**
 * The best role the caller holds on file `e` through a share of the file or
 * of a folder above it (a folder editor edits everything inside).
 */
const SHARE_ROLE = `greatest(
  (SELECT "s"."role" FROM "content"."file_shares" "s" WHERE "s"."file_id" = "e"."id" AND "s"."user_id" = :reader),
  ${folderRoleSql('"e"."folder_id"')})`;

/** Narrows a query over files (alias `e`) to those the caller may read; admins read all. */
export function readableFilesWhere<T extends object>(
  qb: SelectQueryBuilder<T>,
  caller: Principal,
): void {
  if (!isAdmin(caller)) qb.andWhere(READABLE, { reader: caller.userId });
}

/** Of `ids`, those the caller may read (trashed files included), in one query. */
export async function readableFileIds(
  manager: EntityManager,
  caller: Principal,
  ids: readonly string[],
): Promise<Set<string>> {
  if (isAdmin(caller)) return new Set(ids);
  const qb = manager
    .createQueryBuilder(FileEntity, 'e')
    .withDeleted()
    .select('"e"."id"', 'id')
    .where('"e"."id" IN (:...ids)', { ids: [...ids] });
  readableFilesWhere(qb, caller);
  const rows = await qb.getRawMany<{ id: string }>();
  return new Set(rows.map((row) => row.id));
}

/** The caller's access to a file: owner and admins manage; shares decide, then the read rule. */
export async function fileAccessOf(
  manager: EntityManager,
  caller: Principal,
  file: { id: string; ownerId: string },
): Promise<FileAccess> {
  if (isAdmin(caller) || file.ownerId === caller.userId) return 'manage';
  const row = await manager
    .createQueryBuilder(FileEntity, 'e')
    .withDeleted()
    .select(READABLE, 'readable')
    .addSelect(SHARE_ROLE, 'role')
    .where('"e"."id" = :id', { id: file.id, reader: caller.userId })
    .getRawOne<{ readable: boolean; role: ShareRole | null }>();
  if (!row) return 'none';
  const access = accessOf(caller, file, row.role ?? undefined);
  return access === 'none' && row.readable ? 'read' : access;
}

/** What the caller may not read does not exist for them. */
export function checkReadFile(access: FileAccess, id: string): void {
  if (access === 'none') throw KitError.notFound('file', id);
}

/** Editors, the owner and admins rename and move; guests never write. */
export function checkEditFile(caller: Principal, access: FileAccess, id: string): void {
  checkReadFile(access, id);
  checkWriter(caller);
  if (access === 'read') {
    throw new ContentError('NOT_EDITOR', 'only editors, the owner and admins change a file');
  }
}

/** Visibility, sharing, trash and purge belong to the owner and admins. */
export function checkManageFile(caller: Principal, access: FileAccess, id: string): void {
  checkEditFile(caller, access, id);
  if (access !== 'manage') {
    throw new ContentError('NOT_OWNER', 'only the owner and admins share, delete or purge a file');
  }
}

export { checkWriter as checkUpload };
