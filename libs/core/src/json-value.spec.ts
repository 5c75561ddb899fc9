import { z } from 'zod';
import { JSON_MAX_DEPTH, jsonObject, jsonProblems } from './json-value';
import { KitError } from './kit-error';
import { validate } from './validation';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = level % 2 ? [value] : { a: value };
  return value;
}

function violationsOf(schema: z.ZodType, input: unknown) {
  try {
    validate(schema, input);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return (error as KitError).violations.map(({ field, reason }) => ({ field, reason }));
  }
}

describe('jsonProblems', () => {
  it('finds NUL in keys and values at any depth, naming the spot', () => {
    expect(jsonProblems({ 'a\u0000b': 1 }).map((p) => [p.at, p.reason])).toEqual([
      ['["a\\u0000b"]', 'NUL_CHARACTER'],
    ]);
    expect(
      jsonProblems({ x: [{ y: { 'k\u0000': 'v' } }, 'ok', { z: 'nul\u0000' }] }).map((p) => p.at),
    ).toEqual(['["x"][0]["y"]["k\\u0000"]', '["x"][2]["z"]']);
  });

  it('finds unpaired surrogates in keys and values but accepts paired ones', () => {
    expect(jsonProblems({ '\ud800': 'x', y: 'a\udc00' }).map((p) => p.reason)).toEqual([
      'UNPAIRED_SURROGATE',
      'UNPAIRED_SURROGATE',
    ]);
    expect(jsonProblems({ emoji: '😀', '😀': true })).toEqual([]);
  });

  it('refuses numbers JSON.stringify would turn into null', () => {
    expect(
      jsonProblems({ a: NaN, b: [Infinity], c: -Infinity, d: 1e308 }).map((p) => p.at),
    ).toEqual(['["a"]', '["b"][0]', '["c"]']);
  });

  it(`accepts ${JSON_MAX_DEPTH} levels of nesting and refuses one more`, () => {
    expect(jsonProblems(nested(JSON_MAX_DEPTH))).toEqual([]);
    expect(jsonProblems(nested(JSON_MAX_DEPTH + 1)).map((p) => p.reason)).toEqual(['TOO_DEEP']);
  });

  it('refuses what is not JSON', () => {
    expect(jsonProblems({ when: new Date(), n: 1n }).map((p) => p.reason)).toEqual([
      'NOT_JSON',
      'NOT_JSON',
    ]);
    expect(jsonProblems({ s: 'text', n: -0.5, b: false, z: null, list: [] })).toEqual([]);
  });
});

describe('jsonObject', () => {
  const schema = z.object({ user: z.object({ preferences: jsonObject({ maxBytes: 64 }) }) });

  it('names the field and the spot inside it', () => {
    expect(violationsOf(schema, { user: { preferences: { theme: { 'a\u0000b': 1 } } } })).toEqual([
      { field: 'user.preferences["theme"]["a\\u0000b"]', reason: 'NUL_CHARACTER' },
    ]);
  });

  it('refuses more UTF-8 bytes than the limit and accepts what fits', () => {
    expect(violationsOf(schema, { user: { preferences: { k: 'é'.repeat(30) } } })).toEqual([
      { field: 'user.preferences', reason: 'CUSTOM' },
    ]);
    expect(violationsOf(schema, { user: { preferences: { k: 'é'.repeat(20) } } })).toEqual([]);
  });

  it('refuses a value that is not an object', () => {
    expect(violationsOf(schema, { user: { preferences: [1] } })).toHaveLength(1);
  });
});
