import { isIP } from 'node:net';
import type { ThrottleLimits, ThrottlePolicy } from './sign-in-throttle.config';

/** Where an attempt comes from, as the gRPC edge sees it. */
export interface AttemptSource {
  /** The peer's IP (CallContext.peerAddress). */
  address: string;
  /** The `x-forwarded-for` metadata, if the call carried one. */
  forwardedFor?: string;
}

/**
 * The client address an attempt is counted under: the peer, or, when the
 * peer is a trusted proxy, the address it forwarded: the rightmost entry
 * of `x-forwarded-for` that is not itself a trusted proxy (entries further
 * left were written by whoever called that proxy, so anyone could forge
 * them). A forwarded value that is not an IP is ignored.
 */
export function clientAddress(source: AttemptSource, trustedProxies: readonly string[]): string {
  if (!trustedProxies.includes(source.address) || !source.forwardedFor) return source.address;
  const hops = source.forwardedFor
    .split(',')
    .map((hop) => hop.trim())
    .reverse();
  const client = hops.find((hop) => !trustedProxies.includes(hop));
  return client !== undefined && isIP(client) !== 0 ? client : source.address;
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
  if (closed === 0) return 0;
  // A concurrent attempt may have stamped its failure a moment after this
  // one's clock was read: that is no time at all, not negative time.
  const since = Math.max(0, count.secondsSinceLastFailure);
  return Math.max(0, Math.ceil(closed - since));
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
