import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { inTransaction, type AggregateStore } from '@nexus/db';
import type { DocumentEntity } from './document.entity';

const BATCH = 100;

/**
 * Erases trashed documents whose retention has run out, one `deleted` event
 * each. Replicas may run it at once: SKIP LOCKED hands each row to one.
 */
export class TrashPurger {
  constructor(
    private readonly dataSource: DataSource,
    private readonly documents: AggregateStore<DocumentEntity>,
    private readonly logger: Logger,
  ) {}

  async purgeExpired(now: Date = new Date()): Promise<number> {
    let purged = 0;
    for (;;) {
      const count = await inTransaction(this.dataSource, null, async (tx) => {
        const due = await tx.manager.query<{ id: string }[]>(
          `SELECT id FROM "content"."documents" WHERE purge_at <= $1
           ORDER BY purge_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [now],
        );
        for (const { id } of due) await this.documents.delete(tx, id, { soft: false });
        return due.length;
      });
      purged += count;
      if (count < BATCH) break;
    }
    if (purged > 0) this.logger.info({ purged }, 'purged expired documents from the trash');
    return purged;
  }
}
