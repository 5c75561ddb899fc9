import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePorts } from '@nexus/stack';

const ROOT = path.resolve(__dirname, '../../..');

export interface AppProcess {
  grpcAddress: string;
  httpPort: number;
  /** The service's process id (the service itself, for fault tests that kill it). */
  pid: number;
  /** SIGTERM, and waits until it has exited. */
  stop(): Promise<void>;
  /** Sends `signal` (e.g. SIGKILL, to crash it) and waits until it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** A service's built output (`nx run <app>:build`) to run with node instead of its source. */
export interface BuiltApp {
  /** The folder it runs in, e.g. one holding only dist/ and production node_modules. */
  cwd: string;
  /** Its entry, relative to cwd: dist/apps/<app>/main.js. */
  main: string;
}

/**
 * Runs one of the workspace's services as its own process (as `npm start`
 * does), on the run's database and broker and free loopback ports, for tests
 * that need a real peer service without importing another app's code.
 */
export async function startAppProcess(
  app: string,
  env: Record<string, string> = {},
  built?: BuiltApp,
): Promise<AppProcess> {
  const [grpcPort, httpPort] = await freePorts(2);
  const prefix = app.toUpperCase().replace(/-/g, '_');
  // tsx as a loader, not its CLI: the CLI runs the script in a child process of
  // its own, which a SIGKILL of the CLI would leave running. One process, one pid.
  const args = built ? [built.main] : ['--import', 'tsx', `apps/${app}/src/main.ts`];
  const child = spawn(process.execPath, args, {
    cwd: built?.cwd ?? ROOT,
    env: {
      ...process.env,
      BIND_HOST: '127.0.0.1',
      [`${prefix}_GRPC_PORT`]: String(grpcPort),
      [`${prefix}_HTTP_PORT`]: String(httpPort),
      LOG_LEVEL: process.env.LOG_LEVEL === 'silent' ? 'warn' : (process.env.LOG_LEVEL ?? 'warn'),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitUntilReady(app, child, httpPort);
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    httpPort: httpPort,
    pid: child.pid as number,
    stop: () => kill('SIGTERM'),
    kill,
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
