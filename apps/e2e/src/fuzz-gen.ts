import { uuidv7 } from '@nexus/core';
import { RAW_UTF8_STRINGS } from './fuzz-typed';

/** mulberry32: a small seeded PRNG, so a failing run is reproduced by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly random: () => number) {}

  int(max: number): number {
    return Math.floor(this.random() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) buffer[i] = this.int(256);
    return buffer;
  }
}

const forgedToken = (payload: unknown) =>
  Buffer.from(JSON.stringify(payload)).toString('base64url');

/** Strings chosen to break parsers, queries, encodings and limits. */
export const EVIL_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n\r',
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '%',
  '_%_',
  '\\',
  '\\x00',
  '$1',
  '{"$ne": null}',
  '{"a":',
  '[[[[[[[[[[',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x7fffffff',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\uffff\ufffe',
  // Sent as invalid UTF-8 (lone surrogates, an overlong NUL): see fuzz-typed.ts.
  ...RAW_UTF8_STRINGS,
  '\u202e\u0644\u0627',
  '\u200b\u200d\ufeff',
  '😀👩‍👩‍👧‍👦',
  'é'.normalize('NFD'),
  'Ω≈ç√∫',
  'ǅ',
  'İ',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '01J0000000000000000000000Z',
  'not-a-uuid',
  'a@b',
  'user@example.com',
  '2025-13-45',
  '9999-12-31',
  '0000-00-00',
  '1.123456789012345678901234567890',
  '-0.01',
  '99999999999999999999999999999999',
  forgedToken({ v: 1, k: ["' OR 1=1 --"], id: 'x' }),
  forgedToken({ after: '00000000-0000-0000-0000-000000000000' }),
  forgedToken([1, 2, 3]),
  'eyJ' + 'A'.repeat(300),
  '!!!not-base64!!!',
];

/** One character of each Unicode general category (Cs: a lone surrogate; Cn: unassigned). */
const EVERY_CATEGORY =
  'Aaǅʰא\u0301\u0903\u20dd٣Ⅻ½_-([)]«»!+$^©\u00a0\u2028\u2029\u0007\u200e\ue000\ud800\u0378';

/** `query` of the Search… RPCs: the search syntax and PostgreSQL's tsquery syntax turned against them. */
export const HOSTILE_SEARCH_QUERIES: readonly string[] = [
  '& | ! ( ) : * <-> <2> OR AND NOT - " \'',
  "'a':* & !b | (c <-> d) <2> e",
  '!!!!!!!!!!',
  '- - - -- ---',
  '-a -b -"c d"',
  'OR OR OR',
  '"',
  '"""',
  'unclosed "quote',
  'a"b"c"d',
  "it's \\ back\\slash\\'",
  'a\u0000b',
  EVERY_CATEGORY,
  [...EVERY_CATEGORY].join(' '),
  Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' '),
  Array.from({ length: 32 }, () => 'w').join(' '),
  'x'.repeat(500),
  '😀'.repeat(500),
  'a',
  'a b c d e f g h i j k l m n o p q r s t u v w x y z',
];

export const EVIL_INTS: readonly number[] = [
  0, 1, -1, 2, 7, 99, 1000, 1001, 2147483647, -2147483648, 4294967295, 65536,
];

export const EVIL_DOUBLES: readonly number[] = [0, -0, 1e308, -1e308, 5e-324, 0.1, -1];

export const EVIL_MASKS: readonly string[][] = [
  ['nonexistent'],
  ['id'],
  ['etag'],
  ['create_time'],
  ['owner_id'],
  [''],
  ['*'],
  ['a.b.c'],
  ['title', 'title'],
  ["'; DROP TABLE x; --"],
  ['\u0000'],
  Array.from({ length: 200 }, (_, i) => `f${i}`),
];

export function hugeString(gen: Gen): string {
  const unit = gen.pick(['a', 'é', '😀', "'", '\u0000', '%']);
  return unit.repeat(gen.pick([10_000, 100_000, 250_000]));
}

/**
 * A mutation of a well-formed request: each field, at random, kept or
 * replaced by a boundary/evil value of its kind (strings, numbers, lists,
 * masks, timestamps, nested messages), recursively.
 */
export function mutate(gen: Gen, value: unknown, key = '', depth = 0): unknown {
  if (depth > 6) return value;
  if (value instanceof Date) {
    if (!gen.chance(0.4)) return value;
    return gen.pick([
      new Date(0),
      new Date(-62135596800000),
      new Date(253402300799000),
      new Date(1),
    ]);
  }
  if (Array.isArray(value)) {
    if (key === 'updateMask' && gen.chance(0.6)) return gen.pick(EVIL_MASKS);
    if (!gen.chance(0.5)) return value.map((item) => mutate(gen, item, key, depth + 1));
    const length = gen.pick([0, 1, 3, 101, 1001]);
    const sample: unknown = value[0] ?? 'x';
    return Array.from({ length }, () => mutate(gen, sample, key, depth + 1));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mutate(gen, v, k, depth + 1);
    return out;
  }
  if (typeof value === 'string') {
    if (!gen.chance(0.5)) return value;
    if (gen.chance(0.005)) return hugeString(gen);
    if (key.toLowerCase().endsWith('id') && gen.chance(0.3)) return uuidv7();
    if (key === 'query' && gen.chance(0.7)) return gen.pick(HOSTILE_SEARCH_QUERIES);
    return gen.pick(EVIL_STRINGS);
  }
  if (typeof value === 'number') {
    if (!gen.chance(0.5)) return value;
    return Number.isInteger(value) ? gen.pick(EVIL_INTS) : gen.pick(EVIL_DOUBLES);
  }
  if (typeof value === 'boolean') return gen.chance(0.5) ? !value : value;
  return value;
}

/** Extra fields a template may not set: paging, filters, masks, request ids. */
export function extraFields(gen: Gen, replayTokens: readonly string[]): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (gen.chance(0.5)) extra.pageSize = gen.pick([-1, 0, 1, 1000, 1001, 2147483647, -2147483648]);
  if (gen.chance(0.5))
    extra.pageToken =
      replayTokens.length > 0 && gen.chance(0.5) ? gen.pick(replayTokens) : gen.pick(EVIL_STRINGS);
  if (gen.chance(0.2)) extra.requestId = gen.pick(EVIL_STRINGS);
  if (gen.chance(0.2)) extra.etag = gen.pick(EVIL_STRINGS);
  if (gen.chance(0.1)) extra.updateMask = gen.pick(EVIL_MASKS);
  if (gen.chance(0.1)) extra.orderBy = gen.pick([-1, 99, 2147483647]);
  if (gen.chance(0.2)) extra.includeTotalSize = true;
  if (gen.chance(0.1)) extra.showDeleted = true;
  return extra;
}

/** Wire-level garbage: random bytes, or a valid encoding truncated or bit-flipped. */
export function corrupt(gen: Gen, valid: Buffer): Buffer {
  switch (gen.int(4)) {
    case 0:
      return gen.bytes(gen.pick([1, 7, 64, 1024, 65536]));
    case 1:
      return valid.subarray(0, gen.int(valid.length + 1));
    case 2: {
      const copy = Buffer.from(valid);
      for (let i = 0; i < 1 + gen.int(4) && copy.length > 0; i += 1)
        copy[gen.int(copy.length)] ^= 1 << gen.int(8);
      return copy;
    }
    default: {
      // A field number and wire type that do not match the schema, then junk.
      const tag = Buffer.from([
        ((gen.int(15) + 1) << 3) | gen.pick([1, 2, 5]),
        0xff,
        0xff,
        0xff,
        0xff,
        0x0f,
      ]);
      return Buffer.concat([valid, tag, gen.bytes(gen.int(32))]);
    }
  }
}
