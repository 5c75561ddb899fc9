/**
 * How long a session lives (SESSION_IDLE_TIMEOUT_SECONDS,
 * SESSION_MAX_LIFETIME_SECONDS), and how long its record is kept once it has
 * ended or expired (SESSION_RETENTION_SECONDS, checked every
 * SESSION_PURGE_INTERVAL_SECONDS).
 */
export interface SessionLifetime {
  idleTimeoutSeconds: number;
  maxLifetimeSeconds: number;
  retentionSeconds: number;
  purgeIntervalSeconds: number;
}

interface SessionTimes {
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  endedAt: Date | null;
}

/** When the session ends unless refreshed first: its idle timeout or its absolute end. */
export function expiryOf(session: SessionTimes): Date {
  return session.idleExpiresAt < session.absoluteExpiresAt
    ? session.idleExpiresAt
    : session.absoluteExpiresAt;
}

/** Whether a refresh token of the session may still be exchanged at `now`. */
export function isOpen(session: SessionTimes, now: Date): boolean {
  return session.endedAt === null && expiryOf(session) > now;
}

/** The idle deadline of a use at `now` (never past the absolute end, which expiryOf applies). */
export function idleDeadline(lifetime: SessionLifetime, now: Date): Date {
  return new Date(now.getTime() + lifetime.idleTimeoutSeconds * 1000);
}

export function absoluteDeadline(lifetime: SessionLifetime, signedInAt: Date): Date {
  return new Date(signedInAt.getTime() + lifetime.maxLifetimeSeconds * 1000);
}

/** What a session shows as its client: the caller's label or user agent, cut to a bounded length. */
export const MAX_CLIENT_LENGTH = 200;

export function clientLabel(client: string, userAgent: string | undefined): string {
  const label = client.trim() || userAgent?.trim() || '';
  // By code point, so a cut never splits a surrogate pair.
  return [...label].slice(0, MAX_CLIENT_LENGTH).join('');
}
