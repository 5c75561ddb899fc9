import { KitError, type Principal } from '@nexus/core';
import { changeLogBounds, readChangeLog, type ChangeLogRow, type Queryable } from '@nexus/db';
import type { ChangePayload } from '@nexus/events';
import type { commsV1 } from '@nexus/proto';
import type { LiveStreams } from '@nexus/runtime';
import { resourceOf, selectsMail, type MailChange } from './mail-events';

export const DEFAULT_MAX_CHANGES = 500;
export const MAX_MAX_CHANGES = 5_000;
/** Change log entries read per query. */
const PAGE = 500;
/**
 * Entries one call reads at most: past them it answers with what it found
 * and an intermediate state (has_more_changes), so a call's cost is bounded
 * however much of the log is other users' changes.
 */
const SCAN_LIMIT = 20_000;
/** How long a state ahead of the log is waited for (the relay commits its log entries after Kafka has them). */
const AHEAD_WAIT_MS = 2_000;

/**
 * JMAP Email/changes (RFC 8620 5.2) over the change log: the caller's
 * copies created, updated and destroyed since a state. A state is a change
 * log position in the service's cursor encoding, so WatchMailbox cursors
 * and states are interchangeable; the log is read in pages with the same
 * selection rule as WatchMailbox (selectsMail).
 */
export class EmailChanges {
  constructor(
    private readonly db: Queryable,
    private readonly schema: string,
    private readonly live: LiveStreams,
  ) {}

  async since(
    caller: Principal,
    sinceState: string,
    maxChanges: number,
  ): Promise<commsV1.GetEmailChangesResponse> {
    const since = sinceState === '' ? null : this.live.positionOf(sinceState, 'since_state');
    const { oldest, newest } = await this.bounds(since);
    if (since === null) return this.answer(newest, newest, false, new ChangeSet(0));
    // Before the oldest entry kept (pruned), or after the newest (not a
    // state of this log): JMAP's cannotCalculateChanges.
    if (since < oldest - 1 || since > newest) throw cursorExpired();
    const selection = { ownerId: caller.userId, emailsOnly: true };
    const changes = new ChangeSet(maxChanges);
    let at = since;
    let scanned = 0;
    while (at < newest && scanned < SCAN_LIMIT) {
      const rows = await readChangeLog(this.db, this.schema, at, newest, PAGE);
      // Pruned while this call read it.
      if (rows[0]?.position !== at + 1) throw cursorExpired();
      for (const row of rows) {
        const change = changeOf(row);
        if (selectsMail(change, selection) && !changes.add(change)) {
          return this.answer(since, at, true, changes);
        }
        at = row.position;
      }
      scanned += rows.length;
    }
    return this.answer(since, at, at < newest, changes);
  }

  /**
   * The log's bounds, once it holds `since`: the relay sends a batch to
   * Kafka before it commits the batch's log entries, so a stream's cursor
   * may be a few milliseconds ahead of the log. Waited for briefly; a state
   * still beyond the log after that was never one of its positions.
   */
  private async bounds(since: number | null): Promise<{ oldest: number; newest: number }> {
    const deadline = Date.now() + AHEAD_WAIT_MS;
    for (;;) {
      const bounds = await changeLogBounds(this.db, this.schema);
      if (since === null || since <= bounds.newest || Date.now() >= deadline) return bounds;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private answer(
    from: number,
    to: number,
    hasMoreChanges: boolean,
    changes: ChangeSet,
  ): commsV1.GetEmailChangesResponse {
    return {
      oldState: this.live.cursorOf(from),
      newState: this.live.cursorOf(to),
      hasMoreChanges,
      created: [...changes.created],
      updated: [...changes.updated],
      destroyed: [...changes.destroyed],
    };
  }
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

function changeOf(row: ChangeLogRow): MailChange {
  return { topic: row.topic, type: row.type, data: row.payload as ChangePayload };
}

function cursorExpired(): KitError {
  return new KitError(
    'CURSOR_EXPIRED',
    'the state is older than the changes kept, or not one of this service: list again',
  );
}
