/**
 * Which access tokens are void before they expire: every token of a user
 * issued before a moment (deactivation, deletion, a password or role
 * change, sign-out everywhere), and every token of an ended session. Fed
 * from the users service's events (libs/runtime follows them); read by the
 * TokenVerifier on every call, so both lookups are a map access.
 *
 * An entry matters only while a token it voids can still be alive, so it
 * is dropped `retentionMs` (the longest token lifetime) after it was made:
 * the table holds the users and sessions changed in the last token
 * lifetime, not the user directory.
 */
export class TokenRevocations {
  /** User id → tokens issued before this time (ms) are void. */
  private readonly usersBefore = new Map<string, number>();
  /** Session id → when it ended (ms); all its tokens are void. */
  private readonly endedSessions = new Map<string, number>();
  private nextPruneMs = 0;

  constructor(private readonly retentionMs: number) {}

  /** Voids `userId`'s tokens issued before `atMs`. */
  revokeUser(userId: string, atMs: number): void {
    const known = this.usersBefore.get(userId);
    if (known !== undefined && known >= atMs) return;
    // Deleted first so that insertion order stays time order (see prune).
    this.usersBefore.delete(userId);
    this.usersBefore.set(userId, atMs);
    this.prune();
  }

  /** Voids every token of the session. */
  endSession(sessionId: string, atMs: number): void {
    if (!this.endedSessions.has(sessionId)) this.endedSessions.set(sessionId, atMs);
    this.prune();
  }

  /**
   * Whether a token of `userId`, of session `sessionId` if it names one,
   * issued at `issuedAtMs`, has been revoked.
   */
  isRevoked(userId: string, sessionId: string | undefined, issuedAtMs: number): boolean {
    const before = this.usersBefore.get(userId);
    if (before !== undefined && issuedAtMs < before) return true;
    return sessionId !== undefined && this.endedSessions.has(sessionId);
  }

  /** How many users and sessions have an entry (metrics, tests). */
  get size(): number {
    return this.usersBefore.size + this.endedSessions.size;
  }

  /**
   * Drops entries older than the retention, at most once a minute. Entries
   * arrive in about time order (partitions interleave), so the oldest come
   * first in insertion order and the sweep stops at the first one still
   * needed; one a little out of order only lives a little longer.
   */
  private prune(nowMs = Date.now()): void {
    if (nowMs < this.nextPruneMs) return;
    this.nextPruneMs = nowMs + 60_000;
    const horizon = nowMs - this.retentionMs;
    for (const entries of [this.usersBefore, this.endedSessions]) {
      for (const [key, atMs] of entries) {
        if (atMs >= horizon) break;
        entries.delete(key);
      }
    }
  }
}
