import type { Readable } from 'node:stream';

/** Bytes that passed through the storage's staging area, hashed and counted on the way. */
export interface StagedBlob {
  readonly sha256: string;
  readonly size: number;
  /** Moves the bytes into place under their hash (a no-op when that blob already exists). */
  commit(): Promise<void>;
  /** Removes the staged bytes unless committed; safe to call twice. */
  discard(): Promise<void>;
}

/** Thrown by stage() when the source yields more than `maxBytes`; nothing is left behind. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/**
 * Content-addressed storage: a blob is named by the SHA-256 of its bytes, so
 * equal files share one blob. The local directory is the first implementation;
 * an object store (S3, GCS) implements the same five operations.
 */
export interface BlobStorage {
  /** Streams `source` into staging with backpressure, computing hash and size as it goes. */
  stage(source: AsyncIterable<Uint8Array>, options: { maxBytes: number }): Promise<StagedBlob>;
  /** stage() then commit(): stores a stream, returns its hash and size. */
  put(
    source: AsyncIterable<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<{ sha256: string; size: number }>;
  /** The blob's bytes in chunks of at most `chunkSize`. */
  get(sha256: string, chunkSize: number): Readable;
  exists(sha256: string): Promise<boolean>;
  /** Removes the blob; removing a missing blob is not an error. */
  delete(sha256: string): Promise<void>;
}
