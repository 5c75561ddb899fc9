import { once } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';

/** Writes one message of a server stream, waiting for the client to drain when its buffer is full. */
export async function send<Req, Res>(
  call: ServerWritableStream<Req, Res>,
  message: Res,
): Promise<void> {
  if (call.write(message)) return;
  const done = new AbortController();
  const { signal } = done;
  try {
    await Promise.race(
      ['drain', 'cancelled', 'close'].map((event) =>
        once(call, event, { signal }).catch(() => undefined),
      ),
    );
  } finally {
    done.abort(); // drops the listeners that did not fire
  }
}
