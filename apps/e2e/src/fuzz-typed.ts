import { readFileSync } from 'node:fs';
import {
  ScalarType,
  create,
  createFileRegistry,
  fromBinary,
  toBinary,
  type DescField,
  type DescMessage,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { descriptorSetPath } from '@nexus/proto';
import type { Gen } from './fuzz-gen';

/**
 * Typed extremes, put on the wire for every field of their type in every
 * request, found from the descriptor set (not from a list of fields): JSON
 * (google.protobuf.Struct, Value, ListValue), Timestamps, and the string
 * fields that carry a date or a decimal. The request is re-encoded from its
 * descriptor (not through the generated code, which turns a Timestamp into a
 * Date and cannot send nanos out of range or a second before year 1).
 */

/** How a field is typed, for the fuzzer. */
export type TypedKind = 'json' | 'timestamp' | 'date' | 'decimal';

const JSON_TYPES = new Set([
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
]);
const TIMESTAMP = 'google.protobuf.Timestamp';
/**
 * Dates and decimals are proto strings; the API's naming says which (see
 * docs/api.md "Input values"): `*_date`, `*_date_from`/`_to`; `amount`
 * (Money), `hours`, `*_hours`, `*_rate`, `*_price_per_million`.
 */
const DATE_NAME = /(^|_)date(_from|_to)?$/;
const DECIMAL_NAME = /^(amount|hours)$|_(hours|rate|price_per_million)$/;

/**
 * Characters the encoder cannot write (it writes UTF-8 from JavaScript
 * strings), replaced in the encoded bytes by sequences of the same length
 * that the wire can carry: the UTF-8 form of a lone surrogate and an
 * overlong NUL. Only a decoder that does not check UTF-8 would turn them into
 * a lone surrogate or a NUL; the services must refuse or replace them.
 */
const RAW_SEQUENCES: ReadonlyArray<[placeholder: string, bytes: number[]]> = [
  ['\ufdd0', [0xed, 0xa0, 0x80]], // U+D800, a lone high surrogate
  ['\ufdd1', [0xed, 0xbf, 0xbf]], // U+DFFF, a lone low surrogate
  ['\ufdd2', [0xe0, 0x80, 0x80]], // an overlong (3-byte) NUL
];
/** Strings standing for invalid UTF-8 on the wire, for mutate's string pool. */
export const RAW_UTF8_STRINGS: readonly string[] = RAW_SEQUENCES.flatMap(([placeholder]) => [
  placeholder,
  `a${placeholder}b`,
]);

/** Characters PostgreSQL text or jsonb cannot hold, or that only a lax decoder produces. */
const UNSTORABLE: readonly string[] = [
  '\u0000',
  'a\u0000',
  '\u0000\u0000',
  ...RAW_UTF8_STRINGS,
  '\ud800',
  'x\udfffy',
];
/** Harmless look-alikes that must be accepted (no over-eager refusal to hide a crash behind). */
const LOOKALIKES: readonly string[] = ['\\u0000', '\\ud800', '%00', '\u2400', '\ufffd', ''];

export const TIMESTAMP_SECONDS: readonly bigint[] = [
  -62_135_596_801n, // 0000-12-31T23:59:59Z, before year 1
  -62_135_596_800n, // 0001-01-01T00:00:00Z, the first valid second
  253_402_300_799n, // 9999-12-31T23:59:59Z, the last valid second
  253_402_300_800n, // 10000-01-01T00:00:00Z
  -9_223_372_036_854_775_808n,
  9_223_372_036_854_775_807n,
  -1n,
  0n,
  1_700_000_000n,
];
export const TIMESTAMP_NANOS: readonly number[] = [
  0, 999_999_999, 1_000_000_000, 2_000_000_000, -1, -999_999_999, -2_147_483_648, 2_147_483_647,
];
export const DATE_STRINGS: readonly string[] = [
  '0000-01-01',
  '0001-01-01',
  '9999-12-31',
  '10000-01-01',
  '2023-02-29',
  '2024-02-29',
  '',
  ' 2024-01-01',
  '2024-01-01 ',
  '2024-1-1',
  '+2024-01-01',
  '-2024-01-01',
  '2024-01-01T00:00:00Z',
  '٢٠٢٤-٠١-٠١',
];
export const DECIMAL_STRINGS: readonly string[] = [
  ' 5',
  '5 ',
  '+5',
  '1e1',
  '5.',
  '.5',
  '-0',
  '-5',
  '0',
  '24',
  '24.01',
  '1.005',
  '9'.repeat(1000),
  `0.${'0'.repeat(999)}1`,
  '1'.repeat(40),
  '٥',
  '５',
  '0x10',
  'NaN',
  'Infinity',
  '-',
  '',
];

let registry: ReturnType<typeof createFileRegistry> | undefined;
const descriptors = () =>
  (registry ??= createFileRegistry(
    fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)),
  ));

function messageOf(field: DescField): DescMessage | undefined {
  if (field.fieldKind === 'message') return field.message;
  if (field.fieldKind === 'list' && field.listKind === 'message') return field.message;
  if (field.fieldKind === 'map' && field.mapKind === 'message') return field.message;
  return undefined;
}

/** The typed kind of a field, from its descriptor alone. */
export function typedKind(field: DescField): TypedKind | undefined {
  const message = messageOf(field);
  if (message) {
    if (JSON_TYPES.has(message.typeName)) return 'json';
    if (message.typeName === TIMESTAMP) return 'timestamp';
    return undefined;
  }
  if (field.fieldKind === 'scalar' && field.scalar === ScalarType.STRING) {
    if (DATE_NAME.test(field.name)) return 'date';
    if (DECIMAL_NAME.test(field.name)) return 'decimal';
  }
  return undefined;
}

const reachCache = new Map<string, boolean>();

/** Whether a message holds a typed field at some depth. */
function reachesTyped(desc: DescMessage, visiting = new Set<string>()): boolean {
  const known = reachCache.get(desc.typeName);
  if (known !== undefined) return known;
  if (visiting.has(desc.typeName)) return false;
  visiting.add(desc.typeName);
  const result = desc.fields.some((field) => {
    if (typedKind(field)) return true;
    const message = messageOf(field);
    return message !== undefined && reachesTyped(message, visiting);
  });
  visiting.delete(desc.typeName);
  reachCache.set(desc.typeName, result);
  return result;
}

/** Every typed field a method's request can carry, as dotted proto paths (for the log). */
export function typedFieldsOf(path: string): string[] {
  const input = inputOf(path);
  if (!input) return [];
  const out: string[] = [];
  const walk = (desc: DescMessage, prefix: string, seen: Set<string>) => {
    if (seen.has(desc.typeName)) return;
    for (const field of desc.fields) {
      const name = `${prefix}${field.name}`;
      const kind = typedKind(field);
      const message = messageOf(field);
      if (kind) out.push(`${name} (${kind})`);
      else if (message && reachesTyped(message))
        walk(message, `${name}.`, new Set([...seen, desc.typeName]));
    }
  };
  walk(input, '', new Set());
  return out;
}

function inputOf(path: string): DescMessage | undefined {
  const [, serviceName, methodName] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return descriptors()
    .getService(serviceName ?? '')
    ?.methods.find((m) => m.name === methodName)?.input;
}

type Json = null | boolean | number | string | Json[] | { entries: Array<[string, Json]> };

/**
 * A JSON value of random shape with one bad (or borderline) spot somewhere
 * inside it, at any depth, in a key or a value.
 */
function evilJson(gen: Gen): Json {
  const leaf = (): Json => {
    switch (gen.int(4)) {
      case 0:
        return gen.pick([
          Number.NaN,
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          -0,
          1e308,
          5e-324,
        ]);
      case 1:
        return gen.pick(UNSTORABLE);
      case 2:
        return gen.pick(LOOKALIKES);
      default:
        return nest(gen.pick([31, 32, 33, 64, 1_000, 20_000]));
    }
  };
  const nest = (levels: number): Json => {
    let value: Json = 1;
    for (let i = 0; i < levels; i += 1) value = i % 2 === 0 ? { entries: [['d', value]] } : [value];
    return value;
  };
  const build = (depth: number): Json => {
    if (depth === 0) return leaf();
    const inner = build(depth - 1);
    if (gen.chance(0.5)) return [gen.pick(['x', 1, true, null] as Json[]), inner];
    const key = gen.chance(0.3)
      ? gen.pick(UNSTORABLE)
      : gen.pick(['k', 'a.b', '["x"]', '', '__proto__', 'constructor']);
    return {
      entries: [
        ['ok', 'fine'],
        [key, inner],
      ],
    };
  };
  return build(gen.int(6));
}

/**
 * The plain form protobuf-es keeps a Struct field in (a JavaScript object;
 * its encoder writes keys and numbers as they are, NaN included).
 */
function toPlain(json: Json): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(toPlain);
  return Object.fromEntries(json.entries.map(([k, v]) => [k, toPlain(v)]));
}

const asObject = (json: Json): Json =>
  json !== null && typeof json === 'object' && !Array.isArray(json)
    ? json
    : { entries: [['v', json]] };

/** A google.protobuf.Value message (a Struct inside a Value is a message, not plain). */
function toValue(json: Json): object {
  const valueDesc = descriptors().getMessage('google.protobuf.Value')!;
  let kind: { case: string; value: unknown };
  if (json === null) kind = { case: 'nullValue', value: 0 };
  else if (typeof json === 'boolean') kind = { case: 'boolValue', value: json };
  else if (typeof json === 'number') kind = { case: 'numberValue', value: json };
  else if (typeof json === 'string') kind = { case: 'stringValue', value: json };
  else if (Array.isArray(json)) kind = { case: 'listValue', value: toList(json) };
  else {
    const structDesc = descriptors().getMessage('google.protobuf.Struct')!;
    const fields = Object.fromEntries(json.entries.map(([k, v]) => [k, toValue(v)]));
    kind = { case: 'structValue', value: create(structDesc, { fields }) };
  }
  return create(valueDesc, { kind });
}

function toList(items: Json[]): object {
  const desc = descriptors().getMessage('google.protobuf.ListValue')!;
  return create(desc, { values: items.map(toValue) });
}

function typedValue(gen: Gen, kind: TypedKind, message?: DescMessage): unknown {
  switch (kind) {
    case 'date':
      return gen.pick(DATE_STRINGS);
    case 'decimal':
      return gen.pick(DECIMAL_STRINGS);
    case 'timestamp':
      return create(message!, {
        seconds: gen.pick(TIMESTAMP_SECONDS),
        nanos: gen.chance(0.5) ? 0 : gen.pick(TIMESTAMP_NANOS),
      });
    case 'json': {
      const json = evilJson(gen);
      if (message!.typeName === 'google.protobuf.Struct') return toPlain(asObject(json));
      if (message!.typeName === 'google.protobuf.ListValue')
        return toList(Array.isArray(json) ? json : [json]);
      return toValue(json);
    }
  }
}

/**
 * Sets, at `rate` per field, each typed field of `message` (and of the
 * messages under it, creating absent ones now and then so fields a template
 * leaves out are reached too) to an extreme of its type.
 */
function injectInto(
  gen: Gen,
  desc: DescMessage,
  message: Record<string, unknown>,
  rate: number,
  depth: number,
): void {
  if (depth > 8) return;
  for (const field of desc.fields) {
    if (field.oneof) continue; // only in streaming requests, which are not fuzzed here
    const kind = typedKind(field);
    const inner = messageOf(field);
    if (kind) {
      if (!gen.chance(rate)) continue;
      if (field.fieldKind === 'list') {
        const items = Array.from({ length: 1 + gen.int(3) }, () => typedValue(gen, kind, inner));
        message[field.localName] = items;
      } else if (field.fieldKind === 'map') {
        message[field.localName] = { [gen.pick(['k', '\u0000'])]: typedValue(gen, kind, inner) };
      } else message[field.localName] = typedValue(gen, kind, inner);
      continue;
    }
    if (!inner || !reachesTyped(inner)) continue;
    const current = message[field.localName];
    if (field.fieldKind === 'list') {
      const list = current as Record<string, unknown>[];
      if (list.length === 0 && gen.chance(rate)) list.push(create(inner));
      for (const item of list.slice(0, 20)) injectInto(gen, inner, item, rate, depth + 1);
    } else if (field.fieldKind === 'map') {
      for (const item of Object.values(current as Record<string, Record<string, unknown>>))
        injectInto(gen, inner, item, rate, depth + 1);
    } else {
      if (current === undefined) {
        if (!gen.chance(rate)) continue;
        message[field.localName] = create(inner);
      }
      injectInto(gen, inner, message[field.localName] as Record<string, unknown>, rate, depth + 1);
    }
  }
}

/** Writes the placeholders of RAW_UTF8_STRINGS as the invalid UTF-8 they stand for. */
export function rawUtf8(bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i + 2 < out.length; i += 1) {
    if (out[i] !== 0xef || out[i + 1] !== 0xb7) continue;
    const sequence = RAW_SEQUENCES[out[i + 2] - 0x90];
    if (!sequence) continue;
    out.set(sequence[1], i);
    i += 2;
  }
  return out;
}

/**
 * `payload` (a well-formed encoding of the request of `path`) with typed
 * extremes set at `rate` per typed field, re-encoded from the descriptor;
 * the payload unchanged when re-encoding is impossible (e.g. a nesting too
 * deep for the encoder).
 */
export function withTypedExtremes(
  gen: Gen,
  path: string,
  payload: Uint8Array,
  rate: number,
): Buffer {
  const input = inputOf(path);
  if (!input || !reachesTyped(input)) return rawUtf8(payload);
  try {
    const message = fromBinary(input, payload);
    injectInto(gen, input, message, rate, 0);
    return rawUtf8(toBinary(input, message));
  } catch {
    return rawUtf8(payload);
  }
}
