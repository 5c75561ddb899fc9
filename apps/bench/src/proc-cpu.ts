import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, almost always 100). */
export const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * The process listening on a loopback TCP port. startAppProcess runs a
 * service behind tsx's launcher, so the child we spawned is not the process
 * doing the work; the socket's owner is.
 */
export function pidListeningOn(port: number): number {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // st 0A is LISTEN; field 9 is the socket inode.
      if (local && fields[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port) {
        inodes.add(fields[9] ?? '');
      }
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // the fd closed while we looked
      }
    }
  }
  throw new Error(`no process found listening on port ${port}`);
}

/** A process's parent and the user plus system CPU time it has used so far, in µs. */
export function procStat(pid: number): { ppid: number; micros: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; fields after it start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { ppid: Number(fields[1]), micros: (ticks * 1e6) / TICKS_PER_SECOND };
}

/**
 * Waits until `pids` together use less than `idleShare` of one core over a
 * half-second (a service just started still compiles, joins its consumer
 * groups and drains what its relay found), or `timeoutMs` passed.
 */
export async function settle(
  pids: readonly number[],
  idleShare = 0.1,
  timeoutMs = 30_000,
): Promise<void> {
  const cpu = () =>
    pids.reduce((sum, pid) => {
      try {
        return sum + procStat(pid).micros;
      } catch {
        return sum;
      }
    }, 0);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const before = cpu();
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (cpu() - before < idleShare * 500_000) return;
  }
}
