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

/** The child's argument; its plan comes on stdin (a thousand tokens are too long for the environment). */
const HOLD = '--hold';

/** Starts the child, resolves once all its streams are open; `stop` ends them with the process. */
export async function openIdleSubscribers(
  plan: IdleSubscribersPlan,
): Promise<{ stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'idle-subscribers.ts'), HOLD],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  child.stdin!.end(JSON.stringify(plan));
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

async function readPlan(): Promise<IdleSubscribersPlan> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as IdleSubscribersPlan;
}

if (process.argv.includes(HOLD)) {
  readPlan()
    .then(holdStreams)
    .catch((error: unknown) => {
      process.stderr.write(`idle subscribers: ${String(error)}\n`);
      process.exit(1);
    });
}
