import { readFileSync } from 'node:fs';

/** User plus system CPU time a process has used so far, in ms; 0 when it is gone or remote. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total CPU time of the whole machine so far, in ms (all cores). */
function machineCpuMs(): { busy: number; total: number } {
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = (cpu ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: ((total - idle) * 1000) / 100, total: (total * 1000) / 100 };
}

export interface CpuShares {
  /** CPU ms of each named party over the window. */
  parties: Record<string, number>;
  /** CPU ms of everything else on the machine (other agents' work included). */
  others: number;
  /** How busy the whole machine was, 0..1 of all its cores. */
  machineBusy: number;
}

/**
 * Splits the CPU time spent during a measured window between named parties
 * (each a set of pids, read when the window opens and again when it closes)
 * and everything else, from /proc. Assumes USER_HZ = 100, as on Linux.
 */
export class CpuMeter {
  private start?: { parties: Record<string, number>; machine: { busy: number; total: number } };
  private pidsAtStart: Record<string, number[]> = {};

  constructor(private readonly parties: Record<string, () => Promise<number[]> | number[]>) {}

  private async snapshot(): Promise<Record<string, number[]>> {
    const entries = await Promise.all(
      Object.entries(this.parties).map(async ([name, pids]) => [name, await pids()] as const),
    );
    return Object.fromEntries(entries);
  }

  async begin(): Promise<void> {
    this.pidsAtStart = await this.snapshot();
    this.start = {
      parties: Object.fromEntries(
        Object.entries(this.pidsAtStart).map(([name, pids]) => [name, sumCpu(pids)]),
      ),
      machine: machineCpuMs(),
    };
  }

  async end(): Promise<CpuShares> {
    const start = this.start;
    if (!start) throw new Error('CpuMeter.end() before begin()');
    const machine = machineCpuMs();
    const pidsAtEnd = await this.snapshot();
    const parties: Record<string, number> = {};
    for (const name of Object.keys(this.parties)) {
      // A pid that appeared during the window counts from 0, one that left is lost.
      const pids = [...new Set([...(this.pidsAtStart[name] ?? []), ...(pidsAtEnd[name] ?? [])])];
      const before = (this.pidsAtStart[name] ?? []).length > 0 ? start.parties[name] : 0;
      parties[name] = Math.max(0, sumCpu(pids) - (before ?? 0));
    }
    const busy = machine.busy - start.machine.busy;
    const total = machine.total - start.machine.total;
    const ours = Object.values(parties).reduce((sum, value) => sum + value, 0);
    return { parties, others: Math.max(0, busy - ours), machineBusy: total > 0 ? busy / total : 0 };
  }
}

function sumCpu(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
}
