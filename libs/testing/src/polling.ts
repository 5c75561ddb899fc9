/**
 * Waiting for what happens after a call returns (a consumer applying an
 * event, a relay publishing): poll, never sleep a fixed time.
 */

/**
 * Polls `probe` until `done` accepts its value, and returns that value; fails
 * with the last value seen once `timeoutMs` has passed.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

/** Polls `check` until it holds; fails once `timeoutMs` has passed. */
export async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  await eventually(check, (holds) => holds, timeoutMs);
}
