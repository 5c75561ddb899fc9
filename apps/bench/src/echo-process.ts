import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { echoPath } from './echo-server';
import { pidListeningOn } from './proc-cpu';

const ROOT = path.resolve(__dirname, '../../..');
const identity = (value: Buffer): Buffer => value;

export interface EchoProcess {
  /** The process serving (tsx runs the server in a child of the one spawned). */
  pid: number;
  /** One unary call of method `index` (its reply's size), carrying `request` and a service call's metadata. */
  call(index: number, request: Uint8Array): Promise<Buffer>;
  stop(): Promise<void>;
}

/** Starts echo-server.ts in its own process, method i answering with `replies[i]`. */
export async function startEchoProcess(
  replies: readonly Uint8Array[],
  token: string,
): Promise<EchoProcess> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'apps/bench/src/echo-server.ts',
      ...replies.map((reply) => Buffer.from(reply).toString('base64')),
    ],
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
    pid: pidListeningOn(port),
    call: (index, request) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          echoPath(index),
          identity,
          identity,
          Buffer.from(request),
          metadata,
          { deadline: Date.now() + 10_000 },
          (error, response) =>
            error || !response ? reject(error ?? new Error('empty reply')) : resolve(response),
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
