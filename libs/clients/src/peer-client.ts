import { status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { KitError } from '@nexus/core';
import { createPromiseClient, type CallOptions, type PromiseClient } from './promise-client';

/** Another platform service a service calls on behalf of its own caller. */
export interface PeerOptions {
  /** How errors name it (`users`, `content`): ErrorInfo metadata `peer`. */
  peer: string;
  /** host:port */
  address: string;
  /** The longest one call to it may take, however long the caller would wait. */
  timeoutMs: number;
  /** Attempts after the first when the peer is UNAVAILABLE (while time remains). */
  retries?: number;
  credentials?: ChannelCredentials;
}

/**
 * Kept back from the caller's remaining time (a fifth of it, at most this) so
 * that a peer that never answers is reported before the caller gives up: the
 * caller then reads UNAVAILABLE naming the peer, not its own DEADLINE_EXCEEDED.
 * grpc-js's deadline timer fires tens of milliseconds late on a busy machine.
 */
const MAX_DEADLINE_RESERVE_MS = 500;

/** The deadline of a call to a peer: the caller's, less a reserve to answer in. */
export function peerDeadline(callerDeadline: Date | undefined, now = Date.now()): Date | undefined {
  if (!callerDeadline) return undefined;
  const remaining = callerDeadline.getTime() - now;
  const reserve = Math.min(MAX_DEADLINE_RESERVE_MS, Math.max(0, remaining) / 5);
  return new Date(callerDeadline.getTime() - reserve);
}

/**
 * What a failed peer call means to the caller of the service that made it.
 * A peer that is down, refuses connections, is slow or hangs is UNAVAILABLE
 * (`DEPENDENCY_UNAVAILABLE`, naming the peer); the peer refusing the caller's
 * token or the caller's access is the caller's UNAUTHENTICATED or
 * PERMISSION_DENIED. Any other status (a NOT_FOUND a lookup reads, an
 * INTERNAL of the peer) is returned as the peer sent it.
 */
export function peerFailure(peer: string, error: unknown): unknown {
  const failure = error as Partial<ServiceError>;
  switch (failure.code) {
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return new KitError(
        'DEPENDENCY_UNAVAILABLE',
        `the ${peer} service is unavailable; retry later`,
        [],
        { peer },
      );
    case status.UNAUTHENTICATED:
      return new KitError(
        'UNAUTHENTICATED',
        `the ${peer} service did not accept the caller's token`,
        [],
        { peer },
      );
    case status.PERMISSION_DENIED:
      return new KitError(
        'PERMISSION_DENIED',
        `the ${peer} service refused the caller: ${failure.details ?? ''}`.trim(),
        [],
        { peer },
      );
    default:
      return error;
  }
}

/**
 * A typed client of a peer service, which every call of one service to
 * another goes through: each call gets the caller's deadline (less a reserve,
 * see `peerDeadline`), capped at the peer's `timeoutMs`, and its failures are
 * read by `peerFailure`.
 */
export function createPeerClient<D extends object>(
  definition: D,
  options: PeerOptions,
): PromiseClient<D> {
  const client = createPromiseClient(definition, {
    address: options.address,
    defaultDeadlineMs: options.timeoutMs,
    retries: options.retries,
    credentials: options.credentials,
  }) as unknown as Record<string, (request: unknown, options?: CallOptions) => Promise<unknown>>;
  const methods: Record<string, unknown> = {};
  for (const [name, call] of Object.entries(client)) {
    methods[name] =
      name === 'close'
        ? call
        : async (request: unknown, callOptions: CallOptions = {}) => {
            try {
              return await call(request, {
                ...callOptions,
                deadline: peerDeadline(callOptions.deadline),
              });
            } catch (error) {
              throw peerFailure(options.peer, error);
            }
          };
  }
  return methods as PromiseClient<D>;
}
