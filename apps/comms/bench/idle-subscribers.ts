/**
 * Holds idle WatchRoom streams open from a process of its own, so the watch
 * bench can weigh the server's side of each stream in its own heap without
 * the clients' side. Run by openIdleSubscribers (below) as a child process:
 * prints `ready` once every stream has caught up, then waits to be killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Metadata, credentials } from '@grpc/grpc-js';
import { commsV1 } from '@nexus/proto';

interface IdleSubscribersPlan {
  address: string;
  channels: number;
  streams: { token: string; roomId: string }[];
}

const PLAN_VARIABLE = 'IDLE_SUBSCRIBERS_PLAN';

/** Starts the child, resolves once all its streams are open; `stop` ends them with the process. */
export async function openIdleSubscribers(
  plan: IdleSubscribersPlan,
): Promise<{ stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'idle-subscribers.ts')],
    {
      env: { ...process.env, [PLAN_VARIABLE]: JSON.stringify(plan) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`idle subscribers exited with ${code}`)));
  });
  return {
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function holdStreams(plan: IdleSubscribersPlan): Promise<void> {
  const clients = Array.from(
    { length: plan.channels },
    () => new commsV1.ChatServiceClient(plan.address, credentials.createInsecure()),
  );
  await Promise.all(
    plan.streams.map(({ token, roomId }, i) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const stream = clients[i % plan.channels].watchRoom({ roomId, cursor: '' }, metadata);
      return new Promise<void>((resolve, reject) => {
        stream.on('data', (item: commsV1.WatchRoomResponse) => {
          if (item.verb === 'caught_up') resolve();
        });
        stream.on('error', reject);
      });
    }),
  );
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => process.exit(0));
}

if (process.env[PLAN_VARIABLE]) {
  holdStreams(JSON.parse(process.env[PLAN_VARIABLE]) as IdleSubscribersPlan).catch(
    (error: unknown) => {
      process.stderr.write(`idle subscribers: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
