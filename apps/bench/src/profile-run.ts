import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closedLoop } from './load';
import { readProfile, summariseProfile, type ProfileSummary } from './profile';
import type { LoadShape, SeededCall } from './rounds';
import type { Platform, ServiceName } from './services';

/**
 * A V8 CPU profile of the process serving `call`, over the measured window of
 * the same load: the platform is started with the profile hook preloaded into
 * that service only (cpu-profile-hook.cjs), which samples between two SIGUSR2.
 */
export async function profileCall(
  call: SeededCall,
  startPlatform: (
    extraEnv: Partial<Record<ServiceName, Record<string, string>>>,
  ) => Promise<Platform>,
  shape: LoadShape,
  tag: string,
): Promise<ProfileSummary> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nexus-bench-prof-'));
  try {
    const service = call.scenario.service;
    const platform = await startPlatform({
      [service]: {
        NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.cjs')}`,
        NEXUS_BENCH_PROFILE_DIR: dir,
      },
    });
    try {
      const pid = platform.pid(service);
      await closedLoop({
        ...shape,
        call: (w, n) => call.run.call(platform.clients, tag, w, n),
        onMeasureStart: () => process.kill(pid, 'SIGUSR2'),
        onMeasureEnd: () => process.kill(pid, 'SIGUSR2'),
      });
      return summariseProfile(await readProfile(path.join(dir, `${pid}.cpuprofile`)));
    } finally {
      await platform.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
