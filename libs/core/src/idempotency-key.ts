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
 * fingerprint exactly when they ask for the same thing. Fingerprints are
 * stored with their keys, so this form must never change (the spec pins it).
 */
export function requestFingerprint(request: object): string {
  return createHash('sha256')
    .update(canonicalObject(request as Record<string, unknown>, 'requestId'))
    .digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // JSON.stringify would turn NaN and the infinities into null, making them equal.
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return JSON.stringify(value);
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return canonicalArray(value);
  return canonicalObject(value as Record<string, unknown>, undefined);
}

function canonicalArray(items: unknown[]): string {
  let out = '[';
  for (let index = 0; index < items.length; index++) {
    if (index > 0) out += ',';
    // A hole stays empty, as Array.prototype.map and join left it.
    if (index in items) out += canonicalJson(items[index]);
  }
  return `${out}]`;
}

function canonicalObject(record: Record<string, unknown>, skip: string | undefined): string {
  const { sorted, quoted } = shapeOf(record);
  let out = '{';
  let separator = '';
  for (let index = 0; index < sorted.length; index++) {
    const key = sorted[index];
    const item = record[key];
    if (item === undefined || key === skip) continue;
    out += `${separator}${quoted[index]}${canonicalJson(item)}`;
    separator = ',';
  }
  return `${out}}`;
}

/** An object's own keys as enumerated, sorted by UTF-16 code unit, and each as `"key":`. */
interface Shape {
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  readonly quoted: readonly string[];
}

/**
 * Decoded messages of one type enumerate the same keys in the same order, so
 * their sorted and quoted keys are worked out once and reused (sorting and
 * quoting on every object was most of the cost). Found by the first key
 * (a few shapes each), checked key by key; bounded, since Struct and map keys
 * are the caller's.
 */
const shapes = new Map<string, Shape[]>();
const MAX_FIRST_KEYS = 256;
const SHAPES_PER_FIRST_KEY = 4;

function shapeOf(record: object): Shape {
  const keys = Object.keys(record);
  const id = keys.length > 0 ? keys[0] : '';
  let known = shapes.get(id);
  if (known) {
    for (const shape of known) if (sameKeys(shape.keys, keys)) return shape;
  } else {
    if (shapes.size >= MAX_FIRST_KEYS) shapes.clear();
    known = [];
    shapes.set(id, known);
  }
  // The default sort compares strings by UTF-16 code unit, as `<` does.
  const sorted = [...keys].sort();
  const shape = { keys, sorted, quoted: sorted.map((key) => `${JSON.stringify(key)}:`) };
  if (known.length >= SHAPES_PER_FIRST_KEY) known.pop();
  known.unshift(shape);
  return shape;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
