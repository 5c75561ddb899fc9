import { createHash } from 'node:crypto';

export interface CapturedText {
  /** The text itself, or null when the deployment does not keep prompts. */
  text: string | null;
  /** Unicode code points. */
  length: number;
  /** Hex SHA-256 of the UTF-8 text: lets callers match texts without storing them. */
  sha256: string;
}

/** What is stored of a prompt or response: always length and hash, the text only when captured. */
export function captureText(text: string, capture: boolean): CapturedText {
  return {
    text: capture ? text : null,
    length: [...text].length,
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}
