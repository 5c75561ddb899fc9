import { createHash } from 'node:crypto';

/**
 * A create's `request_id` as AIP-155 means it: it belongs to the caller and
 * the method it was first sent with, and to that request alone. A replay by
 * the same caller of the same request gets the first result; anything else
 * that presents the key is refused and learns nothing of what it made.
 */
export interface IdempotencyKey {
  readonly requestId: string;
  /** The caller's user id, or '' for an anonymous call (sign-up). */
  readonly caller: string;
  /** The RPC it was first sent to, e.g. `CreateDocument`. */
  readonly method: string;
  /** A digest of the request without its request id (see requestFingerprint). */
  readonly fingerprint: string;
}

/**
 * SHA-256 of the request in a canonical JSON form (keys sorted, bytes as
 * base64), with the top-level `requestId` left out: two requests get the same
 * fingerprint exactly when they ask for the same thing.
 */
export function requestFingerprint(request: object): string {
  const body: Record<string, unknown> = { ...request };
  delete body.requestId;
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  switch (typeof value) {
    case 'object': {
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
      return `{${entries.join(',')}}`;
    }
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'number':
      // JSON.stringify would turn NaN and the infinities into null, making them equal.
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    default:
      return JSON.stringify(value);
  }
}
