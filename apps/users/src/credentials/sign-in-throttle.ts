import { isIP } from 'node:net';

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
