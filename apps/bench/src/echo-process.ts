import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Metadata, credentials } from '@grpc/grpc-js';
import { pidListeningOn } from './proc-cpu';

const ROOT = path.resolve(__dirname, '../../..');
const ECHO_PATH = '/nexus.bench.v1.Echo/Call';
const identity = (value: Buffer): Buffer => value;

export interface EchoProcess {
  /** The process serving (tsx runs the server in a child of the one spawned). */
  pid: number;
  /** One unary call carrying `request` and the same metadata a service call carries. */
  call(request: Buffer): Promise<Buffer>;
  stop(): Promise<void>;
}

/** Starts echo-server.ts in its own process, answering with `reply`. */
export async function startEchoProcess(reply: Buffer, token: string): Promise<EchoProcess> {
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'apps/bench/src/echo-server.ts',
      reply.toString('base64'),
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
