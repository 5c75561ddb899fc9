import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { inTransaction } from '@nexus/db';
import type { VersionRetentionConfig } from '../config';
import { documentVersionAggregate, versionEventSubject } from './document-version.aggregate';
import type { VersionHistory } from './version-history';

const BATCH = 100;
const DAY_MS = 86_400_000;

/**
 * Version retention, as Drive keeps file revisions: the newest
 * `keepNewest` versions of every document and those marked keep-forever stay;
 * the others go once older than `retentionDays`, one `deleted` event each
 * (nexus.content.document-version). One transaction per document.
 */
export class VersionPruner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly history: VersionHistory,
    private readonly retention: Pick<VersionRetentionConfig, 'keepNewest' | 'retentionDays'>,
    private readonly logger: Logger,
  ) {}

  async pruneExpired(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.retention.retentionDays * DAY_MS);
    const { keepNewest } = this.retention;
    let pruned = 0;
    for (;;) {
      const documents = await this.history.documentsToPrune(keepNewest, cutoff, BATCH);
      let removedThisBatch = 0;
      for (const documentId of documents) {
        removedThisBatch += await inTransaction(this.dataSource, null, async (tx) => {
          const removed = await this.history.prune(tx, documentId, keepNewest, cutoff);
          await tx.emitMany(
            documentVersionAggregate,
            'deleted',
            removed.map((version) => ({
              subject: documentId,
              before: documentVersionAggregate.toResource(versionEventSubject(version)),
              after: null,
            })),
          );
          return removed.length;
        });
      }
      pruned += removedThisBatch;
      // A batch that removed nothing (its rows locked by another replica) ends the run.
      if (documents.length < BATCH || removedThisBatch === 0) break;
    }
    if (pruned > 0) this.logger.info({ pruned }, 'pruned document versions past retention');
    return pruned;
  }
}
