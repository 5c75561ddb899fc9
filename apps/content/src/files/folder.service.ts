import type { DataSource } from 'typeorm';
import { isAdmin, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type Page, type Tx } from '@nexus/db';
import { ContentError } from '../content.errors';
import { checkWriter } from '../documents/document-access';
import {
  checkEditFolder,
  checkManageFolder,
  checkReadFolder,
  folderAccessOf,
} from './folder-access';
import { IS_SELF_OR_DESCENDANT } from './folder-tree';
import type { FolderEntity } from './folder.entity';

/**
 * Folders: a tree per owner. A folder made inside another belongs to that
 * folder's owner (an editor of a shared folder adds to the owner's tree), so
 * every folder of a tree has one owner and moves stay within it.
 */
export class FolderService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly folders: AggregateStore<FolderEntity>,
  ) {}

  async create(
    caller: Principal,
    input: { name: string; parentId?: string },
    key?: IdempotencyKey,
  ): Promise<FolderEntity> {
    checkWriter(caller);
    let ownerId = caller.userId;
    if (input.parentId) {
      const parent = await this.folders.get(input.parentId, { hydrate: false });
      checkEditFolder(caller, await this.accessOf(caller, parent), parent.id);
      ownerId = parent.ownerId;
    }
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { entity } = await this.folders.create(
        tx,
        { name: input.name, parentId: input.parentId ?? null, ownerId },
        key,
        {
          authorizeReplay: async (folder) =>
            checkReadFolder(await folderAccessOf(tx.manager, caller, folder), folder.id),
        },
      );
      return entity;
    });
  }

  async get(caller: Principal, id: string): Promise<FolderEntity> {
    const folder = await this.folders.get(id);
    checkReadFolder(await this.accessOf(caller, folder), id);
    return folder;
  }

  /** The folders in a readable folder (all readable: shares reach down), or the caller's root folders; by name. */
  async list(
    caller: Principal,
    query: { parentId?: string; pageSize: number; pageToken: string },
  ): Promise<Page<FolderEntity>> {
    if (query.parentId) await this.get(caller, query.parentId);
    const { parentId } = query;
    return this.folders.list({
      filter: (qb) => {
        if (parentId) qb.andWhere('e.parent_id = :parentId', { parentId });
        else qb.andWhere('e.owner_id = :caller AND e.parent_id IS NULL', { caller: caller.userId });
      },
      filterValues: { parentId: parentId ?? '', caller: caller.userId },
      order: { key: 'name_asc', property: 'name', direction: 'ASC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
    });
  }

  async rename(caller: Principal, id: string, etag: string, name: string): Promise<FolderEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.folders.update(tx, id, {
        etag: etag || undefined,
        authorize: async (folder) =>
          checkEditFolder(caller, await folderAccessOf(tx.manager, caller, folder), id),
        apply: (folder) => {
          folder.name = name;
        },
      }),
    );
  }

  /**
   * Moves a folder under another of the same owner, or to the root. Moves
   * of one tree are serialised (an advisory lock on the owner), so two
   * crossing moves cannot together close a cycle the check of each missed.
   */
  async move(
    caller: Principal,
    id: string,
    parentId: string | undefined,
    etag: string,
  ): Promise<FolderEntity> {
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const current = await this.folders.get(id, { hydrate: false, manager: tx.manager });
      await lockTree(tx, current.ownerId);
      return this.folders.update(tx, id, {
        etag: etag || undefined,
        authorize: async (folder) => {
          checkManageFolder(caller, await folderAccessOf(tx.manager, caller, folder), id);
          if (parentId) await this.checkNewParent(tx, caller, folder, parentId);
        },
        apply: (folder) => {
          folder.parentId = parentId ?? null;
        },
      });
    });
  }

  /**
   * Deletes an empty folder for good (manage access: the owner or an
   * admin); its shares go with it (foreign key). Under the folder's row
   * locked FOR UPDATE, which a new child's foreign key check waits for, so
   * nothing can be added between the emptiness check and the delete.
   */
  async delete(caller: Principal, id: string, etag: string): Promise<void> {
    await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.folders.delete(tx, id, {
        soft: false,
        etag: etag || undefined,
        authorize: async (folder) =>
          checkManageFolder(caller, await folderAccessOf(tx.manager, caller, folder), id),
        apply: async () => {
          // The lock first, the count in a statement of its own: under READ COMMITTED a
          // statement's snapshot predates the lock wait, so a child committed while this
          // waited would be missed by a count in the same statement.
          await tx.manager.query(`SELECT 1 FROM "content"."folders" WHERE id = $1 FOR UPDATE`, [
            id,
          ]);
          const [{ folders, files }] = await tx.manager.query<{ folders: number; files: number }[]>(
            `SELECT (SELECT count(*) FROM "content"."folders" WHERE parent_id = $1)::int AS folders,
                    (SELECT count(*) FROM "content"."files" WHERE folder_id = $1)::int AS files`,
            [id],
          );
          if (folders > 0 || files > 0) {
            throw new ContentError(
              'FOLDER_NOT_EMPTY',
              `folder ${id} holds ${folders} folder(s) and ${files} file(s), trashed files included: move or purge them first`,
            );
          }
        },
      }),
    );
  }

  private async checkNewParent(
    tx: Tx,
    caller: Principal,
    folder: FolderEntity,
    parentId: string,
  ): Promise<void> {
    const parent = await this.folders.get(parentId, { hydrate: false, manager: tx.manager });
    checkEditFolder(caller, await folderAccessOf(tx.manager, caller, parent), parentId);
    if (parent.ownerId !== folder.ownerId) {
      throw new ContentError(
        'FOLDER_OWNER_MISMATCH',
        'a folder moves only within its owner’s tree',
      );
    }
    const [{ cycle }] = await tx.manager.query<{ cycle: boolean }[]>(IS_SELF_OR_DESCENDANT, [
      folder.id,
      parentId,
    ]);
    if (cycle) {
      throw new ContentError(
        'FOLDER_CYCLE',
        `folder ${parentId} is ${folder.id} itself or inside it: the move would make a cycle`,
      );
    }
  }

  private accessOf(caller: Principal, folder: FolderEntity) {
    return isAdmin(caller)
      ? Promise.resolve('manage' as const)
      : folderAccessOf(this.dataSource.manager, caller, folder);
  }
}

async function lockTree(tx: Tx, ownerId: string): Promise<void> {
  await tx.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `content.folders.${ownerId}`,
  ]);
}
