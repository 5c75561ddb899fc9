import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { inTransaction, type Tx } from '@nexus/db';
import { BlobReleaseEntity } from './blob-release.entity';
import type { BlobStorage } from './blob-storage';
import { FileEntity } from './file.entity';

/**
 * Removes blobs no file references any more. A file delete records the
 * blob's hash in `blob_releases` in its own transaction; after commit the
 * releaser takes the blob's advisory lock (which uploads of the same bytes
 * also take until they commit), counts the files that still reference it,
 * and deletes the blob only when there are none. A crash between the two
 * leaves the row for the periodic run.
 */
export class BlobReleaser {
  constructor(
    private readonly dataSource: DataSource,
    private readonly blobs: BlobStorage,
    private readonly logger: Logger,
  ) {}

  /** Serialises uploads and releases of the same bytes until the transaction ends. */
  async lock(tx: Tx, sha256: string): Promise<void> {
    await tx.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `content.blob:${sha256}`,
    ]);
  }

  /** Marks a blob for a release check once `tx` commits. */
  async record(tx: Tx, sha256: string): Promise<void> {
    await tx.manager
      .createQueryBuilder()
      .insert()
      .into(BlobReleaseEntity)
      .values({ sha256 })
      .orIgnore()
      .execute();
  }

  /** Deletes the blob if no file references it; returns whether it did. */
  async release(sha256: string): Promise<boolean> {
    return inTransaction(this.dataSource, null, async (tx) => {
      await this.lock(tx, sha256);
      const referenced = await tx.manager.exists(FileEntity, { where: { sha256 } });
      if (!referenced) await this.blobs.delete(sha256);
      await tx.manager.delete(BlobReleaseEntity, { sha256 });
      return !referenced;
    });
  }

  /** Works through every recorded release (the periodic job). */
  async releasePending(batch = 100): Promise<number> {
    let released = 0;
    for (;;) {
      const pending = await this.dataSource.manager.find(BlobReleaseEntity, {
        order: { createdAt: 'ASC' },
        take: batch,
      });
      for (const { sha256 } of pending) if (await this.release(sha256)) released += 1;
      if (pending.length < batch) break;
    }
    if (released > 0) this.logger.info({ released }, 'released unreferenced blobs');
    return released;
  }
}
