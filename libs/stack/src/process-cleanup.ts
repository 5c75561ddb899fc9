import { readFileSync } from 'node:fs';

/** Server processes to signal if this Node process goes away without stopping them. */
const tracked = new Map<number, NodeJS.Signals>();
const forwardedSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function signalAll(): void {
  for (const [pid, signal] of tracked) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
  tracked.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // When the application handles the signal itself it is expected to call stop();
  // only when we are the sole listener do we clean up and then die as Node would.
  if (process.listenerCount(signal) > 1) return;
  signalAll();
  for (const s of forwardedSignals) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/**
 * Signals `pid` with `signal` (its graceful-shutdown signal) when this process
 * exits, so a database or broker never outlives the script that started it.
 * Returns the function that forgets the pid once it was stopped normally.
 */
export function stopWithThisProcess(pid: number, signal: NodeJS.Signals): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', signalAll);
    for (const s of forwardedSignals) process.on(s, onSignal);
  }
  tracked.set(pid, signal);
  return () => tracked.delete(pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM means it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited orphan nobody reaps (no init in a container) still answers kill(0).
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The command line of a running process ('' when unknown), to recognise our own orphans. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `pid` is gone; false when it is still alive after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Sends `graceful`, then `force` if the process is still there after `graceMs`. */
export async function terminate(
  pid: number,
  graceful: NodeJS.Signals,
  force: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  try {
    process.kill(pid, graceful);
  } catch {
    return;
  }
  if (await waitForExit(pid, graceMs)) return;
  try {
    process.kill(pid, force);
  } catch {
    return;
  }
  await waitForExit(pid, 5000);
}
