/**
 * The searchable text of a file. Bytes live in the blob store, not in
 * PostgreSQL, so the text of a `text/*` file is taken while the upload
 * streams by: its first FILE_TEXT_BYTES bytes, decoded as UTF-8 (invalid
 * sequences become U+FFFD, a character cut at the bound is dropped, NUL
 * characters, which PostgreSQL text cannot hold, become spaces). Stored in
 * `files.search_text`; other files have none and are found by name.
 */
export const FILE_TEXT_BYTES = 64 * 1024;

export function hasSearchableText(mimeType: string): boolean {
  return mimeType.startsWith('text/');
}

/** Passes the upload's chunks through unchanged, keeping a copy of the first bytes. */
export class FileTextCapture {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;

  constructor(private readonly limit: number = FILE_TEXT_BYTES) {}

  async *tap(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      if (this.keptBytes < this.limit) {
        const part = chunk.subarray(0, this.limit - this.keptBytes);
        this.kept.push(Buffer.from(part));
        this.keptBytes += part.length;
      }
      yield chunk;
    }
  }

  text(): string {
    // stream: true holds back a character cut by the bound instead of emitting U+FFFD.
    const text = new TextDecoder('utf-8').decode(Buffer.concat(this.kept), { stream: true });
    return text.replaceAll('\u0000', ' ');
  }
}
