import { createHmac } from 'node:crypto';

export interface CapturedText {
  /** The text itself, or null when the deployment does not keep prompts. */
  text: string | null;
  /** Unicode code points. */
  length: number;
  /**
   * Hex HMAC-SHA-256 of the UTF-8 text keyed with the deployment's secret:
   * matches equal texts without storing them, and, unlike a plain SHA-256,
   * confirms nobody's guess of a short prompt without the key.
   */
  hmac: string;
}

/** What is stored of a prompt or response: always length and keyed hash, the text only when captured. */
export function captureText(text: string, capture: boolean, secret: string): CapturedText {
  return {
    text: capture ? text : null,
    length: [...text].length,
    hmac: createHmac('sha256', secret).update(text, 'utf8').digest('hex'),
  };
}
