import { z } from 'zod';

/**
 * JSON that PostgreSQL `jsonb` can store, checked before it reaches a column.
 * JSON.stringify would silently turn NaN and Infinity into null and keep a NUL
 * or an unpaired surrogate as an escape that jsonb then refuses (a failed
 * INSERT, INTERNAL); very deep nesting exhausts a parser's stack. Keys are
 * data too: `{"a\u0000b": 1}` is as unstorable as a NUL in a value.
 */

/** Deepest nesting of objects and arrays a JSON field may have. */
export const JSON_MAX_DEPTH = 32;

/** One unstorable spot: `at` is where inside the JSON value, as `["key"][2]`. */
export interface JsonProblem {
  at: string;
  description: string;
  reason: 'NUL_CHARACTER' | 'UNPAIRED_SURROGATE' | 'NOT_FINITE' | 'TOO_DEEP' | 'NOT_JSON';
}

const MAX_PROBLEMS = 20;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL text or jsonb cannot hold `text`, or undefined when it can. */
export function unstorableText(
  text: string,
): Pick<JsonProblem, 'description' | 'reason'> | undefined {
  if (text.includes('\u0000'))
    return { description: 'must not contain NUL (U+0000) characters', reason: 'NUL_CHARACTER' };
  if (UNPAIRED_SURROGATE.test(text))
    return {
      description: 'must not contain unpaired UTF-16 surrogates',
      reason: 'UNPAIRED_SURROGATE',
    };
  return undefined;
}

/** `["key"]`: a JSON key as a path segment, escaped so any key reads unambiguously. */
export function jsonKeySegment(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

/** Every reason `value` cannot be stored as jsonb (at most 20), at any depth, keys included. */
export function jsonProblems(value: unknown, maxDepth = JSON_MAX_DEPTH): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const walk = (item: unknown, at: string, depth: number): void => {
    if (problems.length >= MAX_PROBLEMS) return;
    // Struct.unwrap gives undefined for a Value with no kind; JSON drops it.
    if (item === null || item === undefined || typeof item === 'boolean') return;
    if (typeof item === 'string') {
      const problem = unstorableText(item);
      if (problem) problems.push({ at, ...problem });
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item))
        problems.push({ at, description: 'must be a finite number', reason: 'NOT_FINITE' });
    } else if (typeof item === 'object' && (Array.isArray(item) || isPlainObject(item))) {
      if (depth >= maxDepth) {
        problems.push({
          at,
          description: `must not nest objects and arrays more than ${maxDepth} deep`,
          reason: 'TOO_DEEP',
        });
      } else if (Array.isArray(item)) {
        item.forEach((element, index) => walk(element, `${at}[${index}]`, depth + 1));
      } else {
        for (const [key, element] of Object.entries(item)) {
          const problem = unstorableText(key);
          if (problem)
            problems.push({
              at: `${at}${jsonKeySegment(key)}`,
              description: `(a key) ${problem.description}`,
              reason: problem.reason,
            });
          walk(element, `${at}${jsonKeySegment(key)}`, depth + 1);
        }
      }
    } else {
      problems.push({ at, description: 'is not a JSON value', reason: 'NOT_JSON' });
    }
  };
  walk(value, '', 0);
  return problems;
}

/**
 * A JSON object field (a google.protobuf.Struct, or anything bound for a
 * jsonb column): storable at every depth and at most `maxBytes` of UTF-8 JSON.
 * Violations name the spot inside the value: `metadata["a\u0000b"]`.
 */
export function jsonObject(options: { maxBytes: number }) {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const problems = jsonProblems(value);
    for (const problem of problems) {
      ctx.addIssue({
        code: 'custom',
        message: problem.description,
        path: problem.at ? [problem.at] : [],
        params: { reason: problem.reason },
      });
    }
    if (problems.length === 0 && Buffer.byteLength(JSON.stringify(value)) > options.maxBytes) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${formatBytes(options.maxBytes)} of JSON`,
      });
    }
  });
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
