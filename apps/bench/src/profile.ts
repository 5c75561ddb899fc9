import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Busy (non-idle) milliseconds sampled. */
  busyMs: number;
  /** Where the busy time went, by package or part of the code, largest first. */
  byPart: { part: string; percent: number }[];
  /** The functions with the most self time. */
  topFunctions: { name: string; percent: number }[];
}

/** The package or area a frame belongs to: `pg`, `typeorm`, `libs/db`, `node:internal`, `(gc)`. */
export function partOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(program)') return '(program: native, JIT)';
    return `(native${functionName ? `: ${functionName}` : ''})`;
  }
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/((?:apps|libs)\/[^/]+)\//.exec(url);
  return own ? own[1] : url;
}

/**
 * Self time by part and by function of one V8 CPU profile (from `node --cpu-prof`).
 * It samples the JavaScript thread only: work on libuv's thread pool (argon2id)
 * shows in the CPU per call, not here.
 */
export function summariseProfile(profile: CpuProfile, top = 8): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    busyMs += ms;
    const part = partOf(node.callFrame);
    parts.set(part, (parts.get(part) ?? 0) + ms);
    const name = `${node.callFrame.functionName || '(anonymous)'} (${part})`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, percent: busyMs > 0 ? (100 * ms) / busyMs : 0 }));
  return {
    busyMs,
    byPart: ranked(parts).map(({ name, percent }) => ({ part: name, percent })),
    topFunctions: ranked(functions),
  };
}

/** Waits for the profile a service wrote on SIGUSR2 (see cpu-profile-hook.cjs). */
export async function readProfile(file: string, timeoutMs = 20_000): Promise<CpuProfile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
