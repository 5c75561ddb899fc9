import type { EntityManager } from 'typeorm';
import { KitError, isAdmin, type Principal } from '@nexus/core';
import { ContentError } from '../content.errors';
import { accessOf, checkWriter } from '../documents/document-access';
import type { ShareRole } from '../documents/document-share.entity';
import type { FileAccess } from './file-access';
import { folderRoleSql } from './folder-tree';

/**
 * The caller's access to a folder: the owner and admins manage; otherwise
 * the best role shared with them on the folder or any folder above it.
 */
export async function folderAccessOf(
  manager: EntityManager,
  caller: Principal,
  folder: { id: string; ownerId: string },
): Promise<FileAccess> {
  if (isAdmin(caller) || folder.ownerId === caller.userId) return 'manage';
  const [sql, parameters] = manager.connection.driver.escapeQueryWithParameters(
    `SELECT ${folderRoleSql('CAST(:folder AS uuid)')} AS "role"`,
    { folder: folder.id, reader: caller.userId },
  );
  const [row] = await manager.query<{ role: ShareRole | null }[]>(sql, parameters);
  return accessOf(caller, folder, row?.role ?? undefined);
}

export function checkReadFolder(access: FileAccess, id: string): void {
  if (access === 'none') throw KitError.notFound('folder', id);
}

/** Editors of a folder rename it and put files and folders in it. */
export function checkEditFolder(caller: Principal, access: FileAccess, id: string): void {
  checkReadFolder(access, id);
  checkWriter(caller);
  if (access === 'read') {
    throw new ContentError('NOT_EDITOR', 'only editors, the owner and admins change a folder');
  }
}

/** Moving and sharing belong to the owner and admins. */
export function checkManageFolder(caller: Principal, access: FileAccess, id: string): void {
  checkEditFolder(caller, access, id);
  if (access !== 'manage') {
    throw new ContentError('NOT_OWNER', 'only the owner and admins move or share a folder');
  }
}
