import { Metadata, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { grpcError, type ObservedError } from './grpc-assertions';

/** Bearer metadata for a generated grpc-js client's streaming call. */
export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/**
 * A Watch stream as a test reads it: every item in order, and how it ended.
 * A Watch never ends by itself: cancel it when the test is done with it.
 */
export class WatchReader<T> {
  readonly items: T[] = [];
  private failure: ServiceError | null = null;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: ClientReadableStream<T>) {
    stream.on('data', (item: T) => {
      this.items.push(item);
      this.wake?.();
    });
    stream.on('error', (error: ServiceError) => {
      this.failure = error;
      this.ended = true;
      this.wake?.();
    });
    stream.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  /** The first `count` items, once they arrived; fails if the stream ends or stays short. */
  async take(count: number, timeoutMs = 20_000): Promise<T[]> {
    await this.waitFor(() => this.items.length >= count || this.ended, timeoutMs);
    if (this.items.length < count) {
      throw new Error(
        `wanted ${count} items, got ${this.items.length} (${this.ended ? `ended: ${this.failure?.message ?? 'OK'}` : 'timed out'}): ${JSON.stringify(this.items)}`,
      );
    }
    return this.items.slice(0, count);
  }

  /** The items once `done` holds for them; fails if the stream ends or it never holds. */
  async until(done: (items: T[]) => boolean, timeoutMs = 20_000): Promise<T[]> {
    await this.waitFor(() => done(this.items) || this.ended, timeoutMs);
    if (!done(this.items)) {
      throw new Error(
        `${this.ended ? `ended (${this.failure?.message ?? 'OK'})` : 'timed out'} with: ${JSON.stringify(this.items)}`,
      );
    }
    return [...this.items];
  }

  /** The status the stream ended with; fails if it stays open or ends with OK. */
  async error(timeoutMs = 20_000): Promise<ObservedError> {
    await this.waitFor(() => this.ended, timeoutMs);
    if (!this.ended) throw new Error(`the stream is still open after ${timeoutMs} ms`);
    return grpcError(this.failure ? Promise.reject(this.failure) : Promise.resolve('OK'));
  }

  /** Whether the stream has ended (with any status). */
  get isOpen(): boolean {
    return !this.ended;
  }

  cancel(): void {
    this.stream.cancel();
  }

  private async waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }
}
