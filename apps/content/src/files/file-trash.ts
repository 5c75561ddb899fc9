import type { DataSource } from 'typeorm';
import { KitError, type Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type Tx } from '@nexus/db';
import type { BlobReleaser } from './blob-releaser';
import { checkManageFile, fileAccessOf } from './file-access';
import { FileEntity } from './file.entity';
import { LinkShareEntity } from './link-share.entity';

const DAY_MS = 86_400_000;
const BATCH = 100;

/**
 * The files' trash: DeleteFile moves a file there, UndeleteFile takes it
 * back, PurgeFile and the periodic job (purgeExpired) erase it with its
 * shares and links; the blob goes once no file has the same bytes.
 */
export class FileTrash {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: AggregateStore<FileEntity>,
    private readonly links: AggregateStore<LinkShareEntity>,
    private readonly releaser: BlobReleaser,
    private readonly retentionDays: number,
  ) {}

  /**
   * Moves the file to the trash (one `deleted` event with delete_time set);
   * it is erased when its retention runs out. Its shares and links stay, for
   * a restore; a trashed file cannot be downloaded, directly or by link.
   */
  async delete(caller: Principal, id: string, etag: string): Promise<FileEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.files.update(tx, id, {
        etag: etag || undefined,
        verb: 'deleted',
        authorize: async (file) =>
          checkManageFile(caller, await fileAccessOf(tx.manager, caller, file), id),
        apply: (file) => {
          const now = new Date();
          file.deletedAt = now;
          file.purgeAt = new Date(now.getTime() + this.retentionDays * DAY_MS);
        },
      }),
    );
  }

  async undelete(caller: Principal, id: string): Promise<FileEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.files.update(tx, id, {
        verb: 'restored',
        withDeleted: true,
        authorize: async (file) => {
          checkManageFile(caller, await fileAccessOf(tx.manager, caller, file), id);
          if (!file.deletedAt) throw new KitError('NOT_DELETED', `file ${id} is not in the trash`);
        },
        apply: (file) => {
          file.deletedAt = null;
          file.purgeAt = null;
        },
      }),
    );
  }

  /** Erases a trashed file; its blob goes after commit when no other file has the same bytes. */
  async purge(caller: Principal, id: string, etag: string): Promise<void> {
    const file = await inTransaction(this.dataSource, caller.userId, (tx) =>
      this.erase(tx, id, {
        etag,
        authorize: async (locked) => {
          checkManageFile(caller, await fileAccessOf(tx.manager, caller, locked), id);
          if (!locked.deletedAt) {
            throw new KitError('NOT_DELETED', `file ${id} is not in the trash; delete it first`);
          }
        },
      }),
    );
    await this.releaser.release(file.sha256);
  }

  /** Deletes every file of a user inside `tx` (the user cascade); blobs go with the periodic release. */
  async eraseAllOf(tx: Tx, ownerId: string): Promise<number> {
    const owned = await tx.manager.find(FileEntity, { where: { ownerId }, select: { id: true } });
    for (const { id } of owned) await this.erase(tx, id);
    return owned.length;
  }

  /** Erases trashed files whose retention has run out (the periodic job); SKIP LOCKED shares the work between replicas. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    let purged = 0;
    for (;;) {
      const count = await inTransaction(this.dataSource, null, async (tx) => {
        const due = await tx.manager.query<{ id: string }[]>(
          `SELECT id FROM "content"."files" WHERE purge_at <= $1
           ORDER BY purge_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [now],
        );
        for (const { id } of due) await this.erase(tx, id);
        return due.length;
      });
      purged += count;
      if (count < BATCH) return purged;
    }
  }

  /**
   * Erases a file (trashed or not) with its shares; its link shares go too,
   * each with a `deleted` event of its own.
   */
  private async erase(
    tx: Tx,
    id: string,
    checks: { etag?: string; authorize?: (file: FileEntity) => Promise<void> } = {},
  ): Promise<FileEntity> {
    const file = await this.files.delete(tx, id, {
      soft: false,
      etag: checks.etag || undefined,
      authorize: checks.authorize,
      apply: async () => {
        const links = await tx.manager.find(LinkShareEntity, {
          where: { fileId: id },
          select: { id: true },
        });
        for (const link of links) await this.links.delete(tx, link.id, { soft: false });
      },
    });
    await this.releaser.record(tx, file.sha256);
    return file;
  }
}
