/**
 * How a version's content is stored compactly: as the change of its JSON
 * text against the version it follows. Content is free JSON, so the text is
 * the canonical one (object keys sorted, as jsonb and Struct treat objects as
 * unordered): two equal contents always have the same text, and a delta
 * applied to its base's text gives back exactly the text it was made from.
 */

/** One splice of the base text: remove `remove` characters at `at`, insert `insert` there. */
export interface ContentDelta {
  at: number;
  remove: number;
  insert: string;
}

/** JSON text with every object's keys in code-unit order, whatever order they came in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, sortKeys(object[key])]),
  );
}

/**
 * The smallest single splice turning `base` into `next`: everything between
 * their common prefix and common suffix. An edit in one place (typing in a
 * paragraph, a changed cell) is a delta of about the size of the edit. The
 * cut never splits a surrogate pair, so `insert` is always valid Unicode
 * (PostgreSQL's jsonb refuses a lone surrogate).
 */
export function diffText(base: string, next: string): ContentDelta {
  const limit = Math.min(base.length, next.length);
  let prefix = 0;
  while (prefix < limit && base.charCodeAt(prefix) === next.charCodeAt(prefix)) prefix += 1;
  if (prefix > 0 && isHighSurrogate(base.charCodeAt(prefix - 1))) prefix -= 1;
  let suffix = 0;
  while (
    suffix < limit - prefix &&
    base.charCodeAt(base.length - 1 - suffix) === next.charCodeAt(next.length - 1 - suffix)
  ) {
    suffix += 1;
  }
  if (suffix > 0 && isLowSurrogate(base.charCodeAt(base.length - suffix))) suffix -= 1;
  return {
    at: prefix,
    remove: base.length - prefix - suffix,
    insert: next.slice(prefix, next.length - suffix),
  };
}

export function applyDelta(base: string, delta: ContentDelta): string {
  return base.slice(0, delta.at) + delta.insert + base.slice(delta.at + delta.remove);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
