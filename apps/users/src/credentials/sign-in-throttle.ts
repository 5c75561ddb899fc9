import type { ThrottleLimits, ThrottlePolicy } from './sign-in-throttle.config';

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
  policy: ThrottlePolicy,
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
  policy: ThrottlePolicy,
): number {
  if (count.secondsSinceLastFailure >= policy.resetSeconds) return 0;
  const closed = closedForSeconds(count.failures, limits, policy);
  return Math.max(0, Math.ceil(closed - count.secondsSinceLastFailure));
}

/**
 * The throttle key of a login: trimmed and lower-cased (NFKC), so `Ada`,
 * ` ada ` and `ADA` share one count whether or not any of them exists.
 */
export function loginKey(login: string): string {
  return `login:${login.normalize('NFKC').trim().toLowerCase()}`;
}

/**
 * The throttle key of a source address. An IPv6 client usually holds a whole
 * /64, so its first four groups are the source.
 */
export function sourceKey(scope: 'sign-in' | 'reset', address: string): string {
  return `${scope}-source:${ipv6Prefix64(address) ?? address}`;
}

function ipv6Prefix64(address: string): string | undefined {
  if (!address.includes(':')) return undefined;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (!address.includes('::') && left.length !== 8) return undefined;
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
