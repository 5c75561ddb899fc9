import { setTimeout as sleep } from 'node:timers/promises';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { ServiceName } from '../platform';
import type { AckedWrite, Writer } from './write-targets';

/** A write the service answered OK, and when (ms since the epoch). */
export interface LedgerEntry extends AckedWrite {
  scenario: string;
  writer: string;
  okAt: number;
}

/** A call that did not end OK: its status and message, and when it ended. */
export interface FailedWrite {
  service: ServiceName;
  code: status;
  details: string;
  at: number;
}

/**
 * A bounded write load: every writer makes one call at a time with a pause
 * between calls, until stop(). Each OK answer goes into the ledger in the
 * order it arrived (per aggregate, the order of the writes); every other
 * answer is kept with its status code.
 */
export class WriteLoad {
  readonly ledger: LedgerEntry[] = [];
  readonly failures: FailedWrite[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  private constructor(
    private readonly scenario: string,
    private readonly writers: Writer[],
    pauseMs: number,
  ) {
    this.loops = writers.map((writer, index) => this.run(writer, `w${index}`, pauseMs));
  }

  static start(scenario: string, writers: Writer[], pauseMs: number): WriteLoad {
    return new WriteLoad(scenario, writers, pauseMs);
  }

  /** Ends the load after the calls in flight have been answered, and closes the writers. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const writer of this.writers) writer.close();
  }

  /** OK writes of one service after `since` (ms since the epoch). */
  okSince(service: ServiceName, since: number): number {
    return this.ledger.filter((entry) => entry.service === service && entry.okAt >= since).length;
  }

  private async run(writer: Writer, name: string, pauseMs: number): Promise<void> {
    const id = `${writer.service}/${name}`;
    for (let seq = 0; this.running; seq += 1) {
      const marker = `${this.scenario}/${id}/${seq}`;
      try {
        const acked = await writer.write(marker);
        this.ledger.push({ ...acked, scenario: this.scenario, writer: id, okAt: Date.now() });
      } catch (error) {
        const { code, details } = error as ServiceError;
        if (code === undefined) throw error;
        this.failures.push({ service: writer.service, code, details, at: Date.now() });
      }
      await sleep(pauseMs);
    }
  }
}

/** How many calls ended with each status, e.g. { UNAVAILABLE: 12 }. */
export function countByCode(failures: readonly FailedWrite[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const failure of failures) {
    const name = status[failure.code] ?? String(failure.code);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
