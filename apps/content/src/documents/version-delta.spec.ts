import { applyDelta, canonicalJson, diffText } from './version-delta';

/** No lone surrogate (what PostgreSQL's jsonb refuses). */
const wellFormed = (text: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('version deltas', () => {
  it('gives the same text for equal content whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { y: 1, z: 0 }] }, b: 1 }),
    );
  });

  it('makes a delta of the size of a one-place edit that rebuilds the text exactly', () => {
    const base = 'The quick brown fox jumps over the lazy dog.'.repeat(100);
    const next = `${base.slice(0, 2000)}red${base.slice(2005)}`;
    const delta = diffText(base, next);
    expect(delta.insert.length).toBeLessThanOrEqual(5);
    expect(applyDelta(base, delta)).toBe(next);
    expect(applyDelta(next, diffText(next, next))).toBe(next);
    expect(applyDelta('', diffText('', next))).toBe(next);
    expect(applyDelta(next, diffText(next, ''))).toBe('');
  });

  it('never cuts a surrogate pair, so the inserted text is well-formed', () => {
    for (const [base, next] of [
      ['a😀b', 'a😁b'],
      ['😀', '😁'],
      ['x😀', 'x😀😀'],
      ['😀😀y', '😀y'],
    ]) {
      const delta = diffText(base, next);
      expect(wellFormed(delta.insert)).toBe(true);
      expect(wellFormed(base.slice(delta.at, delta.at + delta.remove))).toBe(true);
      expect(applyDelta(base, delta)).toBe(next);
    }
  });

  it('rebuilds every text of a random edit sequence from the first', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % n;
    };
    const alphabet = ['a', 'b', ' ', 'é', '😀', '"', '\\'];
    let text = 'start';
    let rebuilt = text;
    for (let i = 0; i < 2000; i += 1) {
      const at = rnd(text.length + 1);
      const next =
        text.slice(0, at) +
        Array.from({ length: rnd(4) }, () => alphabet[rnd(alphabet.length)]).join('') +
        text.slice(Math.min(text.length, at + rnd(3)));
      rebuilt = applyDelta(rebuilt, diffText(text, next));
      text = next;
      expect(rebuilt).toBe(text);
    }
  });
});
