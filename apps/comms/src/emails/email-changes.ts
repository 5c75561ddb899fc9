import type { Principal } from '@nexus/core';
import type { commsV1 } from '@nexus/proto';
import type { LiveStreams } from '@nexus/runtime';
import { resourceOf, selectsMail, type MailChange } from './mail-events';

export const DEFAULT_MAX_CHANGES = 500;
export const MAX_MAX_CHANGES = 5_000;
/**
 * Entries one call reads at most: past them it answers with what it found
 * and an intermediate state (has_more_changes), so a call's cost is bounded
 * however much of the log is other users' changes.
 */
const SCAN_LIMIT = 20_000;

/**
 * JMAP Email/changes (RFC 8620 5.2) over the change log: the caller's
 * copies created, updated and destroyed since a state. A state is a change
 * log cursor, so WatchMailbox cursors and states are interchangeable; the
 * kit reads the log (LiveStreams.changesSince) and this selects with
 * WatchMailbox's rule (selectsMail) and folds the ids.
 */
export class EmailChanges {
  constructor(private readonly live: LiveStreams) {}

  async since(
    caller: Principal,
    sinceState: string,
    maxChanges: number,
  ): Promise<commsV1.GetEmailChangesResponse> {
    const changes = new ChangeSet(maxChanges);
    if (sinceState === '') {
      const now = await this.live.newestCursor();
      return answer({ from: now, to: now, more: false }, changes);
    }
    const selection = { ownerId: caller.userId, emailsOnly: true };
    const read = await this.live.changesSince(
      sinceState,
      'since_state',
      (change) => !selectsMail(change, selection) || changes.add(change),
      SCAN_LIMIT,
    );
    return answer(read, changes);
  }
}

function answer(
  read: { from: string; to: string; more: boolean },
  changes: ChangeSet,
): commsV1.GetEmailChangesResponse {
  return {
    oldState: read.from,
    newState: read.to,
    hasMoreChanges: read.more,
    created: [...changes.created],
    updated: [...changes.updated],
    destroyed: [...changes.destroyed],
  };
}

/**
 * The ids of one window, each in one list: created then changed is still
 * created; created then destroyed is destroyed (JMAP lets a server omit it
 * or list it there: a client deletes nothing it does not have). A copy moved
 * to the trash still exists (updated); only an erased copy (no `after`) is
 * destroyed.
 */
class ChangeSet {
  readonly created = new Set<string>();
  readonly updated = new Set<string>();
  readonly destroyed = new Set<string>();

  constructor(private readonly max: number) {}

  /** Takes in one change; false when its id would be one more than the maximum. */
  add(change: MailChange): boolean {
    const id = resourceOf(change)?.id;
    if (!id) return true;
    const known = this.created.has(id) || this.updated.has(id) || this.destroyed.has(id);
    if (!known && this.size >= this.max) return false;
    if (!change.data.after) {
      this.created.delete(id);
      this.updated.delete(id);
      this.destroyed.add(id);
    } else if (!change.data.before) {
      this.created.add(id);
    } else if (!this.created.has(id) && !this.destroyed.has(id)) {
      this.updated.add(id);
    }
    return true;
  }

  private get size(): number {
    return this.created.size + this.updated.size + this.destroyed.size;
  }
}
