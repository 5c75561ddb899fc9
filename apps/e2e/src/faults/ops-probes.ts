import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from '@nexus/testing';

interface Readiness {
  /** The HTTP status of /readyz; 0 when the service did not answer. */
  status: number;
  checks: { name: string; ok: boolean; detail?: string }[];
}

/** GET /readyz of a service process. */
export async function readiness(app: AppProcess): Promise<Readiness> {
  try {
    const response = await fetch(`http://127.0.0.1:${app.httpPort}/readyz`, {
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await response.json()) as { checks?: Readiness['checks'] };
    return { status: response.status, checks: body.checks ?? [] };
  } catch {
    return { status: 0, checks: [] };
  }
}

/** What the service's outbox relay says it is: leader, standby or stopped. */
export async function relayState(app: AppProcess): Promise<string | undefined> {
  const { checks } = await readiness(app);
  return checks.find((check) => check.name === 'outbox-relay')?.detail;
}

/** nexus_outbox_events_published_total of a service process, from /metrics. */
export async function eventsPublished(app: AppProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nexus_outbox_events_published_total'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Polls `condition` until it holds; returns the seconds it took, or throws after `timeoutMs`. */
export async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<number> {
  const began = Date.now();
  while (!(await condition())) {
    if (Date.now() - began > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
  return (Date.now() - began) / 1000;
}
