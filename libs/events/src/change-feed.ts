import type { Logger } from 'pino';
import { changeLogBounds, readChangeLog, type ChangeLogRow, type Queryable } from '@nexus/db';
import type { ChangePayload, PlatformEvent } from './cloud-event';
import type { Kafka } from './kafka';
import { tailTopics, type TopicTail } from './topic-tail';

export interface ChangeFeedOptions {
  kafka: Kafka;
  logger: Logger;
  /** The service: names the tail's consumer group. */
  service: string;
  /** The service's own topics: every event of its change log is on one of them. */
  topics: string[];
  /** The service's database and schema, where the change log is. */
  db: Queryable;
  schema: string;
  /** Recent events kept in memory for resumes (default 5,000: several relay batches). */
  ringSize?: number;
  /** How long a missing position may lag the ones after it before the log is read (default 500 ms). */
  gapWaitMs?: number;
  /** How often an idle feed asks the log whether it missed anything (default 2 s). */
  pollIntervalMs?: number;
}

/** What a listener of the feed is told: each event in position order, then maybe the end. */
export interface FeedListener {
  event(event: PlatformEvent): void;
  /** The feed stopped (the service is shutting down). */
  closed(): void;
}

/** A cursor older than what the change log keeps. */
export class CursorExpiredError extends Error {
  override name = 'CursorExpiredError';
}

/** How long a position that neither Kafka nor the log has may hold the feed up. */
const GIVE_UP_MS = 10_000;
const PAGE = 500;
/** How long a position just ahead of the change log is waited for (its entries commit after the publish). */
const AHEAD_WAIT_MS = 2_000;

/**
 * The change events of one service as every replica sees them, in change
 * log order (positions, `ce_sequence`), for live streams.
 *
 * Live events come from the service's own Kafka topics, read by every
 * replica (a topic tail, no group commits), so a change made through any
 * replica reaches every subscriber. Partitions interleave, so events are
 * held until the positions before them arrived; a position still missing
 * after `gapWaitMs` is read from the change log, which is also asked now
 * and then whether anything was missed while Kafka was quiet or away.
 * Events without a position (ephemeral ones that skip the outbox, such as
 * typing indicators) are passed on as they come.
 *
 * `position` is the newest position delivered: every position up to it has
 * been delivered once, in order. A subscriber joins at that position, then
 * replays what it missed before it (`replay`): from the ring of recent
 * events, else from the log.
 */
export class ChangeFeed {
  private delivered: number;
  private readonly pending = new Map<number, PlatformEvent>();
  private readonly ring: PlatformEvent[] = [];
  private readonly listeners = new Set<FeedListener>();
  private gapSince: number | null = null;
  private gapTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private reading = false;
  private tail: TopicTail | null = null;
  private stopped = false;

  private constructor(
    private readonly options: ChangeFeedOptions,
    newest: number,
  ) {
    this.delivered = newest;
  }

  /** Starts following at the newest position the log has now. */
  static async start(options: ChangeFeedOptions): Promise<ChangeFeed> {
    const { newest } = await changeLogBounds(options.db, options.schema);
    const feed = new ChangeFeed(options, newest);
    // A minute back covers the relay's clock being behind ours; what is
    // older than the log's newest is dropped as already delivered.
    feed.tail = await tailTopics({
      kafka: options.kafka,
      logger: options.logger,
      name: `nexus-${options.service}-changes`,
      topics: options.topics,
      sinceMs: Date.now() - 60_000,
      onEvent: (event) => feed.receive(event),
    });
    feed.schedulePoll();
    return feed;
  }

  /** The newest position delivered to listeners. */
  get position(): number {
    return this.delivered;
  }

  /**
   * Registers a listener for every event after `position` (returned as
   * `at`): replay up to `at` with `replay`, then the listener's events follow
   * with no gap and no overlap.
   */
  listen(listener: FeedListener): { at: number; close: () => void } {
    if (this.stopped) throw new Error('the change feed has stopped');
    this.listeners.add(listener);
    return { at: this.delivered, close: () => this.listeners.delete(listener) };
  }

  /**
   * Every event after position `after` up to `upTo`, in order: from memory
   * when the ring still holds them, else from the change log in pages.
   * Throws CursorExpiredError when the log no longer has the first of them.
   */
  async replay(after: number, upTo: number, each: (event: PlatformEvent) => void): Promise<void> {
    let next = after + 1;
    const ringStart = this.ring[0]?.sequence ?? this.delivered + 1;
    while (next < ringStart && next <= upTo) {
      const last = Math.min(upTo, ringStart - 1);
      const rows = await readChangeLog(this.options.db, this.options.schema, next - 1, last, PAGE);
      if (rows[0]?.position !== next) throw new CursorExpiredError(`position ${next} was pruned`);
      for (const row of rows) each(eventOf(row));
      next = rows[rows.length - 1].position + 1;
    }
    for (const event of this.ring) {
      const position = event.sequence ?? 0;
      if (position >= next && position <= upTo) each(event);
    }
  }

  /** The newest position the change log holds (what a sync RPC's current state is). */
  async newest(): Promise<number> {
    return (await changeLogBounds(this.options.db, this.options.schema)).newest;
  }

  /**
   * The changes after position `after`, read from the change log in order,
   * each given to `take` until it returns false or `scanLimit` entries were
   * read: for sync RPCs (JMAP's /changes) that answer a bounded page at a
   * time. `reached` is the last position taken (every change up to it was
   * given); `more`, whether the log holds changes after it. Throws
   * CursorExpiredError for a position the log has pruned, or one it never
   * had: the relay commits a batch's entries just after Kafka has it, so a
   * stream's cursor may be a little ahead of the log, and is waited for
   * (AHEAD_WAIT_MS) before it counts as foreign.
   */
  async changesAfter(
    after: number,
    take: (event: PlatformEvent) => boolean,
    scanLimit: number,
  ): Promise<{ reached: number; more: boolean }> {
    const { oldest, newest } = await this.boundsHolding(after);
    if (after < oldest - 1 || after > newest) {
      throw new CursorExpiredError(`position ${after} is not in the change log`);
    }
    let reached = after;
    let scanned = 0;
    while (reached < newest && scanned < scanLimit) {
      const rows = await readChangeLog(this.options.db, this.options.schema, reached, newest, PAGE);
      // Pruned while this call read it.
      if (rows[0]?.position !== reached + 1) {
        throw new CursorExpiredError(`position ${reached + 1} was pruned`);
      }
      for (const row of rows) {
        if (!take(eventOf(row))) return { reached, more: true };
        reached = row.position;
      }
      scanned += rows.length;
    }
    return { reached, more: reached < newest };
  }

  /** The log's bounds, once its newest is at least `position` or AHEAD_WAIT_MS passed. */
  private async boundsHolding(position: number): Promise<{ oldest: number; newest: number }> {
    const deadline = Date.now() + AHEAD_WAIT_MS;
    for (;;) {
      const bounds = await changeLogBounds(this.options.db, this.options.schema);
      if (position <= bounds.newest || Date.now() >= deadline) return bounds;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops following; every listener is told, so its stream can end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const listener of [...this.listeners]) listener.closed();
    this.listeners.clear();
    await this.tail?.stop();
  }

  private receive(event: PlatformEvent): void {
    const position = event.sequence;
    if (position === undefined) {
      this.emit(event);
      return;
    }
    if (position <= this.delivered) return;
    this.pending.set(position, event);
    this.drain();
  }

  /** Delivers the pending events that continue the sequence; watches the gap, if one is left. */
  private drain(): void {
    for (let next = this.pending.get(this.delivered + 1); next;) {
      this.pending.delete(this.delivered + 1);
      this.deliver(next);
      next = this.pending.get(this.delivered + 1);
    }
    if (this.pending.size === 0) {
      this.gapSince = null;
      return;
    }
    this.gapSince ??= Date.now();
    if (!this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        void this.fillGap();
      }, this.options.gapWaitMs ?? 500);
    }
  }

  private deliver(event: PlatformEvent): void {
    this.delivered = event.sequence ?? this.delivered;
    this.ring.push(event);
    if (this.ring.length > (this.options.ringSize ?? 5_000)) this.ring.shift();
    this.emit(event);
  }

  private emit(event: PlatformEvent): void {
    for (const listener of this.listeners) listener.event(event);
  }

  /** Reads the missing positions from the log; gives one up only when it stays missing. */
  private async fillGap(): Promise<void> {
    if (this.stopped || this.pending.size === 0) return;
    const firstHeld = Math.min(...this.pending.keys());
    await this.readLog(firstHeld - 1);
    if (this.pending.size === 0 || this.gapSince === null) return;
    if (Date.now() - this.gapSince > GIVE_UP_MS && !this.pending.has(this.delivered + 1)) {
      this.options.logger.warn(
        { position: this.delivered + 1 },
        'change feed: a position never arrived; skipped',
      );
      this.delivered += 1;
      this.gapSince = Date.now();
    }
    this.drain();
  }

  /** Delivers from the log what follows the delivered position, up to `upTo`. */
  private async readLog(upTo: number): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (!this.stopped && this.delivered < upTo) {
        const rows = await readChangeLog(
          this.options.db,
          this.options.schema,
          this.delivered,
          upTo,
          PAGE,
        );
        if (rows[0]?.position !== this.delivered + 1) break;
        for (const row of rows) {
          if (row.position !== this.delivered + 1) break;
          this.pending.delete(row.position);
          this.deliver(eventOf(row));
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'change feed: reading the change log failed');
    } finally {
      this.reading = false;
    }
  }

  /** Asks the log for positions Kafka has not brought (quiet partitions, a broker away). */
  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      void (async () => {
        try {
          const { newest } = await changeLogBounds(this.options.db, this.options.schema);
          if (newest > this.delivered) {
            await this.readLog(newest);
            this.drain();
          }
        } catch (error) {
          this.options.logger.warn({ err: error }, 'change feed: polling the change log failed');
        }
        if (!this.stopped) this.schedulePoll();
      })();
    }, this.options.pollIntervalMs ?? 2_000);
  }
}

/** A change log entry as the platform event it was published as. */
function eventOf(row: ChangeLogRow): PlatformEvent {
  const payload = row.payload as ChangePayload;
  return {
    id: row.eventId,
    type: row.type,
    source: row.source,
    subject: row.messageKey,
    time: row.time,
    topic: row.topic,
    partition: -1,
    offset: '',
    sequence: row.position,
    data: { ...payload, changed: Array.isArray(payload.changed) ? payload.changed : [] },
  };
}
