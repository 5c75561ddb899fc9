import { createServer, type Socket } from 'node:net';
import type { ServiceError } from '@grpc/grpc-js';
import { readStatusDetails } from '@nexus/grpc';

/** A peer that accepts TCP connections on 127.0.0.1 and never answers a byte. */
export interface HangingPeer {
  /** host:port, for the configuration of the service under test. */
  address: string;
  /** Connections it has accepted so far: proof the service did reach it. */
  accepted(): number;
  /** Closes the port and every connection: from then on the peer is down (refused). */
  stop(): Promise<void>;
}

export async function startHangingPeer(): Promise<HangingPeer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    accepted: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** 127.0.0.1 and a port nothing listens on: a peer that is down. */
export async function closedPortAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** How a call failed, with the ErrorInfo a peer failure carries, and how long it took. */
export interface TimedFailure {
  code: number;
  reason: string | undefined;
  /** ErrorInfo metadata `peer`. */
  peer: string | undefined;
  elapsedMs: number;
}

/** Runs `call` and reports how it failed and after how long; fails the test if it succeeded. */
export async function timedFailure(call: () => Promise<unknown>): Promise<TimedFailure> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    const elapsedMs = Date.now() - started;
    const serviceError = error as ServiceError;
    if (typeof serviceError.code !== 'number') throw error;
    const { errorInfo } = readStatusDetails(serviceError);
    return {
      code: serviceError.code,
      reason: errorInfo?.reason,
      peer: errorInfo?.metadata.peer,
      elapsedMs,
    };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
