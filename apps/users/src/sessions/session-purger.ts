import type { Logger } from '@nexus/ops';
import { inTransaction, queryPrepared, type CrudRepository } from '@nexus/db';
import type { SessionEntity } from './session.entity';

const BATCH = 100;

/**
 * Erases the record of sessions that ended or expired longer ago than the
 * retention (SESSION_RETENTION_SECONDS), with the hashes of their used
 * refresh tokens: every sign-in adds a session and every refresh a used
 * hash, so without this the tables only grow. One `deleted` event each,
 * through the kit's store. Replicas may run it at once: SKIP LOCKED hands
 * each row to one. A purged session's access tokens expired long before.
 */
export class SessionPurger {
  constructor(
    private readonly sessions: CrudRepository<SessionEntity>,
    private readonly retentionSeconds: number,
    private readonly logger: Logger,
  ) {}

  async purgeExpired(now: Date = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.retentionSeconds * 1000);
    let purged = 0;
    for (;;) {
      const count = await inTransaction(this.sessions.dataSource, null, async (tx) => {
        const due = await queryPrepared<{ id: string }>(
          tx.manager,
          `SELECT id FROM "users"."sessions"
            WHERE coalesce(ended_at, least(idle_expires_at, absolute_expires_at)) < $1
            ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [before],
        );
        for (const { id } of due) await this.sessions.delete(tx, id, { soft: false });
        return due.length;
      });
      purged += count;
      if (count < BATCH) break;
    }
    if (purged > 0) this.logger.info({ purged }, 'purged the records of old sessions');
    return purged;
  }
}
