import type { ServerWritableStream } from '@grpc/grpc-js';
import { KitError } from '@nexus/core';
import { CursorExpiredError, type ChangeFeed, type PlatformEvent } from '@nexus/events';
import type { CallContext, TokenVerifier } from '@nexus/grpc';

/** What a service declares for one Watch RPC: its filter and its access rule. */
export interface WatchRules<Item> {
  /** The request's cursor: '' watches from now. */
  cursor: string;
  /** Whether a change belongs to this stream: cheap and synchronous (ids, types). */
  selects(event: PlatformEvent): boolean;
  /**
   * The item of a selected change, once the caller may still see it (the
   * access rule, asked on every change); null leaves the change out. A
   * thrown KitError or domain error ends the stream with its status: a
   * member removed from the room, a share revoked.
   */
  itemFor(event: PlatformEvent, cursor: string): Item | null | Promise<Item | null>;
  /** The item that says every change up to `cursor` was sent and live ones follow. */
  caughtUp(cursor: string): Item;
  /**
   * The open-time access check (what the resource's Get would answer), run
   * once the stream listens and before anything is sent: an access change
   * committed before it is seen by the check, one after it reaches the
   * stream as a change. Checked before listening, a member removed in
   * between would go on receiving changes.
   */
  opened?(): Promise<void>;
}

export interface LiveStreamLimits {
  /** Changes a stream may hold unsent before it is ended as too slow (default 1,000). */
  bufferLimit: number;
  /** Selected changes a resume may replay before the cursor counts as expired (default 10,000). */
  replayLimit: number;
  /** How often an idle stream checks that its token is still valid (default 5 s). */
  tokenCheckMs: number;
}

const DEFAULT_LIMITS: LiveStreamLimits = {
  bufferLimit: 1_000,
  replayLimit: 10_000,
  tokenCheckMs: 5_000,
};

/**
 * Serves every Watch RPC of a service the same way (docs/api.md, Live
 * streams): catch-up from the cursor, then live changes from the change
 * feed, with no gap and no duplicate at the switch, each item checked
 * against the service's access rule and the caller's token; a bounded
 * buffer per stream; every stream ended with UNAVAILABLE when the service
 * stops.
 */
export class LiveStreams {
  private readonly limits: LiveStreamLimits;
  private readonly open = new Set<() => void>();

  constructor(
    private readonly service: string,
    /** Null in a service that declares no live feed (ServiceSpec.live). */
    private readonly feed: ChangeFeed | null,
    private readonly verifier: TokenVerifier,
    limits: Partial<LiveStreamLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** How many streams are open (metrics, tests). */
  get size(): number {
    return this.open.size;
  }

  /** The cursor of a position: opaque to clients, bound to this service. */
  cursorOf(position: number): string {
    return Buffer.from(`${this.service}:${position}`).toString('base64url');
  }

  /**
   * Runs one Watch until the client cancels it (resolves) or it must end
   * (rejects with the error the kit maps to its status).
   */
  async serve<Req, Item>(
    call: ServerWritableStream<Req, Item>,
    ctx: CallContext,
    rules: WatchRules<Item>,
  ): Promise<void> {
    const feed = this.requireFeed();
    const resumeAfter = rules.cursor === '' ? null : this.positionOf(rules.cursor);
    const stream = new WatchStream(call, ctx, rules, this.limits, this.verifier, (position) =>
      this.cursorOf(position),
    );
    const subscription = feed.listen(stream);
    const end = () => stream.fail(new KitError('SHUTTING_DOWN', 'the service is stopping'));
    this.open.add(end);
    try {
      await rules.opened?.();
      await stream.run(resumeAfter, subscription.at, (after, upTo, each) =>
        feed.replay(after, upTo, each),
      );
    } finally {
      subscription.close();
      this.open.delete(end);
    }
  }

  /** The cursor of the newest change kept: a sync RPC's state when the client has none yet. */
  async newestCursor(): Promise<string> {
    return this.cursorOf(await this.requireFeed().newest());
  }

  /**
   * A sync RPC's read of the changes after the cursor `since` (request field
   * `field`), each given to `take` until it returns false or `scanLimit`
   * entries were read (ChangeFeed.changesAfter): the cursors it went from and
   * to, and whether more follow. INVALID_ARGUMENT for a cursor this service
   * did not give, FAILED_PRECONDITION CURSOR_EXPIRED for one older than the
   * log keeps.
   */
  async changesSince(
    since: string,
    field: string,
    take: (event: PlatformEvent) => boolean,
    scanLimit: number,
  ): Promise<{ from: string; to: string; more: boolean }> {
    const after = this.positionOf(since, field);
    try {
      const { reached, more } = await this.requireFeed().changesAfter(after, take, scanLimit);
      return { from: since, to: this.cursorOf(reached), more };
    } catch (error) {
      throw error instanceof CursorExpiredError ? cursorExpired() : error;
    }
  }

  /** Ends every open stream with UNAVAILABLE (SHUTTING_DOWN), so clients resume elsewhere. */
  endAll(): void {
    for (const end of [...this.open]) end();
  }

  private requireFeed(): ChangeFeed {
    if (!this.feed) throw new Error(`${this.service} reads its changes but declares no live feed`);
    return this.feed;
  }

  /**
   * The position of a cursor this service gave (a Watch's, or a sync RPC's
   * state such as GetEmailChanges'); anything else is INVALID_ARGUMENT on `field`.
   */
  positionOf(cursor: string, field = 'cursor'): number {
    const [service, position] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
    const value = Number(position);
    if (service !== this.service || !/^\d{1,15}$/.test(position ?? '') || !(value >= 0)) {
      throw KitError.invalid([
        {
          field,
          description: 'is not a cursor this service gave',
          reason: 'INVALID_CURSOR',
        },
      ]);
    }
    return value;
  }
}

/** A cursor the change log can no longer serve: the client lists again. */
function cursorExpired(): KitError {
  return new KitError(
    'CURSOR_EXPIRED',
    'the cursor is older than the changes kept, too many changes followed it, or it is not of this log: list again',
  );
}

type Replay = (after: number, upTo: number, each: (event: PlatformEvent) => void) => Promise<void>;

/** One open Watch: its buffer of live changes, its position, its end. */
class WatchStream<Item> {
  private readonly live: PlatformEvent[] = [];
  private sent = 0;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private finished = false;

  constructor(
    private readonly call: ServerWritableStream<unknown, Item>,
    private readonly ctx: CallContext,
    private readonly rules: WatchRules<Item>,
    private readonly limits: LiveStreamLimits,
    private readonly verifier: TokenVerifier,
    private readonly cursorOf: (position: number) => string,
  ) {
    call.on('cancelled', () => this.finish());
    call.on('close', () => this.finish());
  }

  /** The feed's listener: selected live changes wait here until sent. */
  event(event: PlatformEvent): void {
    if (this.finished || !this.rules.selects(event)) return;
    if (this.live.length >= this.limits.bufferLimit) {
      this.fail(
        new KitError(
          'SUBSCRIBER_TOO_SLOW',
          `more than ${this.limits.bufferLimit} changes waited to be sent: resume from the last cursor`,
        ),
      );
      return;
    }
    this.live.push(event);
    this.wake?.();
  }

  closed(): void {
    this.fail(new KitError('SHUTTING_DOWN', 'the service is stopping'));
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  async run(resumeAfter: number | null, at: number, replay: Replay): Promise<void> {
    const tokenCheck = setInterval(() => {
      try {
        this.checkToken();
      } catch (error) {
        this.fail(error as Error);
      }
    }, this.limits.tokenCheckMs);
    try {
      this.sent = resumeAfter ?? at;
      if (resumeAfter !== null && resumeAfter < at) await this.replay(resumeAfter, at, replay);
      await this.write(this.rules.caughtUp(this.cursorOf(Math.max(this.sent, at))));
      this.sent = Math.max(this.sent, at);
      while (!this.finished) {
        if (this.failure) throw this.failure;
        const next = this.live.shift();
        if (next) await this.send(next);
        else await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    } finally {
      clearInterval(tokenCheck);
      this.finished = true;
    }
  }

  private async replay(after: number, upTo: number, replay: Replay): Promise<void> {
    const missed: PlatformEvent[] = [];
    try {
      await replay(after, upTo, (event) => {
        if (!this.rules.selects(event)) return;
        if (missed.length >= this.limits.replayLimit) throw new CursorExpiredError('too many');
        missed.push(event);
      });
    } catch (error) {
      throw error instanceof CursorExpiredError ? cursorExpired() : error;
    }
    for (const event of missed) {
      if (this.failure) throw this.failure;
      await this.send(event);
    }
  }

  /** Sends one change if it is after what was sent and the caller may see it. */
  private async send(event: PlatformEvent): Promise<void> {
    const position = event.sequence;
    if (position !== undefined && position <= this.sent) return;
    this.checkToken();
    const item = await this.rules.itemFor(
      event,
      position === undefined ? '' : this.cursorOf(position),
    );
    if (item !== null) await this.write(item);
    if (position !== undefined) this.sent = position;
  }

  /** A revoked or expired token ends the stream (UNAUTHENTICATED), however long it has been open. */
  private checkToken(): void {
    const principal = this.ctx.principal;
    if (principal) this.verifier.principalOf(principal.token);
  }

  /** Writes, waiting while the transport's buffer is full; live changes queue meanwhile. */
  private async write(item: Item): Promise<void> {
    if (this.finished) return;
    if (this.call.write(item)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.wake = null;
        resolve();
      };
      this.call.once('drain', done);
      this.wake = done;
    });
    if (this.failure) throw this.failure;
  }

  private finish(): void {
    this.finished = true;
    this.wake?.();
  }
}
