import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { CpuMeter, localListener } from './cpu-meter';
import { procStat } from './proc-cpu';

/**
 * Waits until `pid` has burnt `micros` of CPU since `from` (on a host shared
 * with other work a spinning process gets only part of a core, so wall time
 * says little about how much it ran).
 */
async function burnt(pid: number, from: number, micros: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (procStat(pid).micros - from < micros) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not get ${micros} µs of CPU`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SPIN = 'const end = Date.now() + 30000; while (Date.now() < end);';

describe('CpuMeter', () => {
  it('charges a process tree with what its children burn', async () => {
    // PostgreSQL works in backends, children of the postmaster: here an idle parent and a busy child.
    const parent = spawn(process.execPath, [
      '-e',
      `const child = require('node:child_process').spawn(process.execPath, ['-e', '${SPIN}'], { stdio: 'inherit' });
       process.stdout.write(child.pid + '\\n');
       process.on('SIGTERM', () => { child.kill(); process.exit(0); });`,
    ]);
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const child = Number(line.toString().trim());
    const meter = new CpuMeter({ postgres: parent.pid });
    // begin() before the baseline: whatever the child burns after its baseline is then inside the meter's window.
    meter.begin();
    const from = procStat(child).micros;
    await burnt(child, from, 200_000);
    const shares = meter.end();
    parent.kill('SIGTERM');
    await once(parent, 'exit');
    expect(shares.postgres).toBeGreaterThanOrEqual(200_000);
    expect(shares.server).toBe(0);
    expect(shares.machine).toBeGreaterThanOrEqual(shares.postgres);
  });

  it('measures a live server process while it works', async () => {
    const busy = spawn(process.execPath, ['-e', SPIN]);
    const pid = busy.pid as number;
    const meter = new CpuMeter({ server: pid });
    meter.begin();
    const from = procStat(pid).micros;
    await burnt(pid, from, 200_000);
    const shares = meter.end();
    busy.kill();
    await once(busy, 'exit');
    expect(shares.server).toBeGreaterThanOrEqual(200_000);
    expect(shares.postgres).toBe(0);
    expect(shares.machine).toBeGreaterThanOrEqual(shares.server);
  });
});

describe('localListener', () => {
  it('finds the process listening on a loopback address and ignores remote hosts', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(localListener(`127.0.0.1:${port}`)).toBe(process.pid);
      expect(localListener(`postgres://u@127.0.0.1:${port}/db`)).toBe(process.pid);
      expect(localListener('postgres://u@db.example.com:5432/db')).toBeUndefined();
      expect(localListener(undefined)).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
