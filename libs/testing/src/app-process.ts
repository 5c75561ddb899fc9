import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePorts } from '@nexus/stack';

const ROOT = path.resolve(__dirname, '../../..');

export interface AppProcess {
  grpcAddress: string;
  httpPort: number;
  stop(): Promise<void>;
}

/**
 * Runs one of the workspace's services as its own process (as `npm start`
 * does), on the run's database and broker and free loopback ports, for tests
 * that need a real peer service without importing another app's code.
 */
export async function startAppProcess(
  app: string,
  env: Record<string, string> = {},
): Promise<AppProcess> {
  const [grpcPort, httpPort] = await freePorts(2);
  const prefix = app.toUpperCase().replace(/-/g, '_');
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), `apps/${app}/src/main.ts`],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        BIND_HOST: '127.0.0.1',
        [`${prefix}_GRPC_PORT`]: String(grpcPort),
        [`${prefix}_HTTP_PORT`]: String(httpPort),
        LOG_LEVEL: process.env.LOG_LEVEL === 'silent' ? 'warn' : (process.env.LOG_LEVEL ?? 'warn'),
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  await waitUntilReady(app, child, httpPort);
  return {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    httpPort: httpPort,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilReady(
  app: string,
  child: ChildProcess,
  httpPort: number,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the ${app} service exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the ${app} service was not ready within ${timeoutMs / 1000} s`);
}
