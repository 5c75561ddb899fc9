import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { ECHO_PATH } from './echo-server';

const ROOT = path.resolve(__dirname, '../../..');
const identity = (value: Buffer): Buffer => value;

export interface EchoProcess {
  pid: number;
  /** One unary call carrying `request` and the bearer token a service call carries. */
  call(request: Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** Starts echo-server.ts in a process of its own, answering every call with `reply`. */
export async function startEchoProcess(reply: Buffer, token: string): Promise<EchoProcess> {
  // tsx as a loader, so the spawned process is the one serving.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/ai-usage/bench/echo-server.ts', reply.toString('base64')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the echo server exited with code ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line)));
  });
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return {
    pid: child.pid as number,
    call: (request) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          ECHO_PATH,
          identity,
          identity,
          request,
          metadata,
          { deadline: Date.now() + 10_000 },
          (error, response) =>
            error || !response ? reject(error ?? new Error('empty')) : resolve(),
        );
      }),
    stop: async () => {
      client.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
