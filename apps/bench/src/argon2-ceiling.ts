import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CpuMeter, type CpuParties } from './cpu-meter';
import type { LoadResult } from './load';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * argon2id hashing alone (argon2-process.ts) at `concurrency` for `seconds`,
 * as a LoadResult whose "server" is the hashing process.
 */
export async function measureArgon2Ceiling(
  shape: { concurrency: number; seconds: number },
  parties: CpuParties,
): Promise<LoadResult> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'apps/bench/src/argon2-process.ts',
      String(shape.concurrency),
      String(shape.seconds),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const meter = new CpuMeter({ ...parties, server: child.pid });
  let cpu: LoadResult['cpu'];
  const result = await new Promise<Omit<LoadResult, 'latenciesMs'>>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the argon2id process exited with code ${code}`)),
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'start') meter.begin();
      else if (line === 'end') cpu = meter.end();
      else resolve(JSON.parse(line) as Omit<LoadResult, 'latenciesMs'>);
    });
  });
  // The parent's own CPU in the window is the meter's "client"; here it only waited.
  return { ...result, latenciesMs: [], cpu };
}
