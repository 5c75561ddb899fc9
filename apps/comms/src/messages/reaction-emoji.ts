/**
 * What a reaction may be: one Unicode emoji, or a custom `:shortcode:`.
 *
 * An emoji is one of Unicode's recommended (RGI) emoji, so ZWJ sequences
 * (👩‍👩‍👧), skin tones (👍🏽), flags (🇫🇷, 🏴󠁧󠁢󠁳󠁣󠁴󠁿) and keycaps (1️⃣) are one
 * reaction each, while two emoji, a lone skin tone or regional indicator,
 * or text with an emoji in it are not. Keyboards differ on the variation
 * selector U+FE0F ("❤" or "❤️"): a missing one is added, so both spellings
 * are one reaction. An explicit text-style selector (U+FE0E) is refused: it
 * asks for a glyph, not an emoji.
 *
 * Shortcodes name custom emoji the clients know; the server does not map
 * them to Unicode (`:thumbsup:` and 👍 are two reactions), as Mattermost
 * keeps custom emoji names.
 */

// The v flag (properties of strings) is Node 20's, past the compiler's target: built at run time.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** `:party_parrot:`, `:+1:`: 1 to 64 of a-z 0-9 _ + - between colons. */
export const SHORTCODE = /^:[a-z0-9_+-]{1,64}:$/;

/** A code point that has a text default and takes U+FE0F to show as an emoji, unless a skin tone follows. */
const NEEDS_SELECTOR =
  /(\p{Emoji}(?<!\p{Emoji_Presentation}|\p{Emoji_Modifier}|\u200d|\uFE0F))(?![\uFE0F\p{Emoji_Modifier}])/gu;

/** The stored form of a reaction, or null when `input` is neither an emoji nor a shortcode. */
export function canonicalEmoji(input: string): string | null {
  if (SHORTCODE.test(input)) return input;
  if (input.length === 0 || input.length > 64 || input.includes('\uFE0E')) return null;
  if (RGI_EMOJI.test(input)) return input;
  const qualified = input.replace(NEEDS_SELECTOR, '$1\uFE0F');
  return RGI_EMOJI.test(qualified) ? qualified : null;
}
