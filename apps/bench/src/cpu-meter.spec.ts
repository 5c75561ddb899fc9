import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { CpuMeter, localListener } from './cpu-meter';

describe('CpuMeter', () => {
  it('charges a process tree with what its children burn', async () => {
    // PostgreSQL works in backends, children of the postmaster: here an idle parent and a busy child.
    const parent = spawn(process.execPath, [
      '-e',
      `require('node:child_process').spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);'], { stdio: 'inherit' }).on('exit', () => process.exit(0));`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the child is running
    const meter = new CpuMeter({ postgres: parent.pid });
    meter.begin();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const shares = meter.end();
    await once(parent, 'exit');
    expect(shares.postgres).toBeGreaterThan(200_000);
    expect(shares.server).toBe(0);
    expect(shares.machine).toBeGreaterThanOrEqual(shares.postgres);
  });

  it('measures a live server process while it works', async () => {
    const busy = spawn(process.execPath, [
      '-e',
      'const end = Date.now() + 1500; while (Date.now() < end);',
    ]);
    const meter = new CpuMeter({ server: busy.pid });
    meter.begin();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const shares = meter.end();
    await once(busy, 'exit');
    expect(shares.server).toBeGreaterThan(200_000); // µs of a process spinning for 0.7 s
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
