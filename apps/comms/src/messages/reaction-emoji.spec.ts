import { canonicalEmoji } from './reaction-emoji';

describe('canonicalEmoji', () => {
  it.each([
    ['👍', '👍'],
    ['👍🏽', '👍🏽'],
    ['❤️', '❤️'],
    ['👩‍👩‍👧', '👩‍👩‍👧'],
    ['🏳️‍🌈', '🏳️‍🌈'],
    ['🇫🇷', '🇫🇷'],
    ['🏴󠁧󠁢󠁳󠁣󠁴󠁿', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['1️⃣', '1️⃣'],
    ['☝🏽', '☝🏽'],
    // Unicode lists a skin tone alone as an emoji of its own (a swatch).
    ['🏽', '🏽'],
    [':party_parrot:', ':party_parrot:'],
    [':+1:', ':+1:'],
  ])('accepts %s', (input, stored) => {
    expect(canonicalEmoji(input)).toBe(stored);
  });

  it.each([
    ['❤', '❤️'],
    ['🏳‍🌈', '🏳️‍🌈'],
    ['1⃣', '1️⃣'],
    ['☺', '☺️'],
  ])('adds the missing variation selector to %s', (input, stored) => {
    expect(canonicalEmoji(input)).toBe(stored);
  });

  it.each([
    ['empty', ''],
    ['two emoji', '👍👍'],
    ['an emoji with text', '👍 yes'],
    ['plain text', 'ok'],
    ['a lone regional indicator', '🇫'],
    ['a bare digit', '1'],
    ['a bare ZWJ', '\u200d'],
    ['text presentation', '❤\uFE0E'],
    ['an upper-case shortcode', ':Thumbsup:'],
    ['an empty shortcode', '::'],
    ['a shortcode too long', `:${'a'.repeat(65)}:`],
    ['a shortcode with spaces', ':thumbs up:'],
  ])('refuses %s', (_name, input) => {
    expect(canonicalEmoji(input)).toBeNull();
  });
});

describe('canonicalEmoji on arbitrary input', () => {
  it('never throws, and what it stores is its own canonical form', () => {
    // Code points around the emoji ranges, selectors, joiners, tags and lone surrogates.
    const pool = [
      0x31, 0x41, 0x3a, 0x20e3, 0x200d, 0xfe0e, 0xfe0f, 0x1f3fd, 0x1f1eb, 0x1f1f7, 0x1f44d, 0x2764,
      0x1f3f3, 0x1f308, 0xe0067, 0xe007f, 0x1f469, 0x1f467, 0x263a, 0xd800, 0xdc00,
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 20_000; i += 1) {
      const length = 1 + (next() % 6);
      const input = Array.from({ length }, () =>
        String.fromCodePoint(pool[next() % pool.length]),
      ).join('');
      const stored = canonicalEmoji(input);
      if (stored !== null) expect([input, canonicalEmoji(stored)]).toEqual([input, stored]);
    }
  });
});
