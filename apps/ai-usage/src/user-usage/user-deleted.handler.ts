import type { Logger } from 'pino';
import type { Tx } from '@nexus/db';
import type { PlatformEvent } from '@nexus/events';
import { rememberErased } from './erased-user.store';
import type { UserUsageEraser } from './user-usage-eraser';

export const USER_TOPIC = 'nexus.users.user';
const USER_DELETED = 'nexus.users.user.deleted';

/**
 * A users event that erases a user: a hard delete (`after` is null). A
 * deactivation (`after.isActive` false) keeps their usage: it is a record
 * of what was spent, the user may be restored, and nothing of it is
 * reachable by the user meanwhile (their tokens are revoked).
 */
export function erasedUserId(event: PlatformEvent): string | null {
  return event.type === USER_DELETED && event.data.after === null ? event.subject : null;
}

/**
 * Follows users' deletions: a hard-deleted user's interactions and budgets
 * are erased and their rollup rows anonymised, in the consumer's
 * transaction, and the user is remembered as erased so that nothing is
 * recorded for them afterwards. A replay finds nothing left to do.
 */
export class UserDeletedHandler {
  constructor(
    private readonly eraser: UserUsageEraser,
    private readonly logger: Logger,
  ) {}

  async handle(event: PlatformEvent, tx: Tx): Promise<void> {
    const userId = erasedUserId(event);
    if (!userId) return;
    const erased = await this.eraser.erase(tx, userId);
    await rememberErased(tx.manager, userId, event.time);
    this.logger.info({ userId, ...erased }, 'erased the AI usage of a deleted user');
  }
}
