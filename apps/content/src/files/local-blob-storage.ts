import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uuidv7 } from '@nexus/core';
import { BlobTooLargeError, type BlobStorage, type StagedBlob } from './blob-storage';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Blobs as files in a local directory: `<root>/ab/cd/<sha256>`, staged in
 * `<root>/.staging` on the same file system so committing is an atomic rename.
 */
export class LocalBlobStorage implements BlobStorage {
  private readonly staging: string;

  constructor(private readonly root: string) {
    this.staging = path.join(root, '.staging');
  }

  async stage(
    source: AsyncIterable<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<StagedBlob> {
    await mkdir(this.staging, { recursive: true });
    const temp = path.join(this.staging, uuidv7());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > options.maxBytes) {
          callback(new BlobTooLargeError(options.maxBytes));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(temp, { flags: 'wx' }));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return this.staged(temp, hash.digest('hex'), size);
  }

  async put(
    source: AsyncIterable<Uint8Array>,
    options: { maxBytes: number },
  ): Promise<{ sha256: string; size: number }> {
    const staged = await this.stage(source, options);
    await staged.commit();
    return { sha256: staged.sha256, size: staged.size };
  }

  get(sha256: string, chunkSize: number): Readable {
    return createReadStream(this.pathOf(sha256), { highWaterMark: chunkSize });
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private staged(temp: string, sha256: string, size: number): StagedBlob {
    let settled = false;
    return {
      sha256,
      size,
      commit: async () => {
        if (settled) return;
        const target = this.pathOf(sha256);
        await mkdir(path.dirname(target), { recursive: true });
        // Same bytes, same name: an existing blob is kept and the staged copy dropped.
        if (await this.exists(sha256)) await rm(temp, { force: true });
        else await rename(temp, target);
        settled = true;
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await rm(temp, { force: true });
      },
    };
  }
}
