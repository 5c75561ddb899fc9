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
