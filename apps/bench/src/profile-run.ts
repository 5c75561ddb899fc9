import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closedLoop } from './load';
import { readProfile, summariseProfile, type ProfileSummary } from './profile';
import type { LoadShape, SeededCall } from './rounds';
import type { Platform, ServiceName } from './services';

type ExtraEnv = Partial<Record<ServiceName, Record<string, string>>>;

/**
 * A V8 CPU profile of the process serving each of `calls`, over the measured
 * window of the same load. One platform start for all: the profile hook
 * (cpu-profile-hook.cjs) is preloaded into every service that serves one of
 * them and samples only between two SIGUSR2, so the calls are profiled in turn.
 */
export async function profileCalls(
  calls: readonly SeededCall[],
  startPlatform: (extraEnv: ExtraEnv) => Promise<Platform>,
  shape: LoadShape,
  tag: string,
): Promise<ProfileSummary[]> {
  if (calls.length === 0) return [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nexus-bench-prof-'));
  try {
    const hook = {
      NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.cjs')}`,
      NEXUS_BENCH_PROFILE_DIR: dir,
    };
    const extraEnv: ExtraEnv = {};
    for (const call of calls) extraEnv[call.scenario.service] = hook;
    const platform = await startPlatform(extraEnv);
    try {
      const summaries: ProfileSummary[] = [];
      for (const call of calls) {
        const pid = platform.pid(call.scenario.service);
        await closedLoop({
          ...shape,
          call: (w, n) => call.run.call(platform.clients, tag, w, n),
          onMeasureStart: () => process.kill(pid, 'SIGUSR2'),
          onMeasureEnd: () => process.kill(pid, 'SIGUSR2'),
        });
        const file = path.join(dir, `${pid}.cpuprofile`);
        summaries.push(summariseProfile(await readProfile(file)));
        // The next call on the same process writes the same file: wait for the new one.
        await rm(file);
      }
      return summaries;
    } finally {
      await platform.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
