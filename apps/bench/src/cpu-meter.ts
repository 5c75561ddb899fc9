import { readFileSync, readdirSync } from 'node:fs';
import { TICKS_PER_SECOND, pidListeningOn, procStat } from './proc-cpu';

/** CPU time (user + system, µs) each party used over one measured window. */
export interface CpuShares {
  /** The benchmark process: the load's gRPC or SQL client. */
  client: number;
  /** The server under test (users service, echo server), when there is one. */
  server: number;
  /** The PostgreSQL server: postmaster and every backend. */
  postgres: number;
  kafka: number;
  /** Everything else the machine ran meanwhile (other people's work on a shared host). */
  others: number;
  /** All CPU time the machine spent, over all cores. */
  machine: number;
  /** Cores times the window: what the machine could have spent. */
  capacity: number;
}

/** The processes of the local stack, when they run on this host. */
export interface CpuParties {
  postgres?: number;
  kafka?: number;
}

interface ProcStat {
  ppid: number;
  micros: number;
}

/** pid → parent and CPU time, for every process readable in /proc. */
function processTable(): Map<number, ProcStat> {
  const table = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      table.set(Number(entry), procStat(Number(entry)));
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** A process and all its descendants. */
function treeOf(root: number, table: Map<number, ProcStat>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree: number[] = [];
  const pending = table.has(root) ? [root] : [];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    tree.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Busy and total CPU time of the whole machine from /proc/stat, in µs. */
function machineMicros(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal (guest time is already in user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  const toMicros = (ticks: number) => (ticks * 1e6) / TICKS_PER_SECOND;
  return { busy: toMicros(busy), total: toMicros(busy + idle + iowait) };
}

/** The process listening on the port of a loopback URL or host:port, if it runs here. */
export function localListener(address: string | undefined): number | undefined {
  if (!address) return undefined;
  const hostPort = /^[a-z]+:\/\//i.test(address) ? new URL(address) : new URL(`x://${address}`);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostPort.hostname)) return undefined;
  try {
    return pidListeningOn(Number(hostPort.port || 5432));
  } catch {
    return undefined;
  }
}

/**
 * Splits the machine's CPU time over one window between the parties of a
 * measurement. Everything runs on one host, so a call's real cost is the
 * sum: what the client, the server, PostgreSQL and Kafka each spent on it.
 * "others" is what is left of the machine's busy time, the load of anyone
 * else sharing the host, which makes the figures of that window noisier.
 */
export class CpuMeter {
  private start?: { table: Map<number, ProcStat>; machine: { busy: number; total: number } };

  constructor(private readonly pids: CpuParties & { server?: number }) {}

  begin(): void {
    this.start = { table: processTable(), machine: machineMicros() };
  }

  end(): CpuShares {
    const start = this.start;
    if (!start) throw new Error('CpuMeter.end() before begin()');
    const table = processTable();
    const machine = machineMicros();
    // A process that started in the window counts in full; one that ended in it is lost.
    const spent = (pids: number[]) =>
      pids.reduce(
        (sum, pid) => sum + (table.get(pid)?.micros ?? 0) - (start.table.get(pid)?.micros ?? 0),
        0,
      );
    const tree = (root: number | undefined) =>
      root === undefined ? 0 : spent(treeOf(root, table));
    const client = spent([process.pid]);
    const server = this.pids.server === undefined ? 0 : spent([this.pids.server]);
    const postgres = tree(this.pids.postgres);
    const kafka = tree(this.pids.kafka);
    const busy = machine.busy - start.machine.busy;
    return {
      client,
      server,
      postgres,
      kafka,
      others: Math.max(0, busy - client - server - postgres - kafka),
      machine: busy,
      capacity: machine.total - start.machine.total,
    };
  }
}
