/**
 * Backoff after failed attempts at a secret (a password, a link's password):
 * the arithmetic every service's brute-force protection shares. Where the
 * counts live, and what a key is, stay with the service.
 */

export interface ThrottleLimits {
  /** Failures from which every further attempt waits. */
  soft: number;
  /** Failures at which the key is locked for the lockout. */
  hard: number;
}

export interface BackoffPolicy {
  delayBaseSeconds: number;
  delayMaxSeconds: number;
  lockoutSeconds: number;
  /** A count with no failure for this long starts again from zero. */
  resetSeconds: number;
}

/** One key's count as stored: failures since the count last started, and how long since the last. */
export interface ThrottleCount {
  failures: number;
  secondsSinceLastFailure: number;
}

/**
 * How long after its last counted failure a key stays closed: nothing below
 * the soft limit; from it, the base delay doubling with each failure up to
 * the maximum; from the hard limit, the lockout. (Keycloak's brute-force
 * detector works the same way: a wait increment up to a maximum, then a
 * temporary lockout.)
 */
export function closedForSeconds(
  failures: number,
  limits: ThrottleLimits,
  policy: BackoffPolicy,
): number {
  if (failures >= limits.hard) return policy.lockoutSeconds;
  if (failures < limits.soft) return 0;
  const doublings = Math.min(failures - limits.soft, 30);
  return Math.min(policy.delayBaseSeconds * 2 ** doublings, policy.delayMaxSeconds);
}

/**
 * Seconds until the key accepts another attempt (0: now). A count older than
 * the reset time is forgotten, so it never closes anything.
 */
export function retryAfterSeconds(
  count: ThrottleCount,
  limits: ThrottleLimits,
  policy: BackoffPolicy,
): number {
  if (count.secondsSinceLastFailure >= policy.resetSeconds) return 0;
  const closed = closedForSeconds(count.failures, limits, policy);
  if (closed === 0) return 0;
  // A concurrent attempt may have stamped its failure a moment after this
  // one's clock was read: that is no time at all, not negative time.
  const since = Math.max(0, count.secondsSinceLastFailure);
  return Math.max(0, Math.ceil(closed - since));
}
