import { status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import type { GrpcClientTls } from '@nexus/config';
import { KitError } from '@nexus/core';
import { readNotFoundId } from './not-found';
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
  /** TLS to the peer, as PeerEndpoint carries it from the configuration; unset: plaintext. */
  tls?: GrpcClientTls;
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
 * Nothing of the peer's own wording (`details`, which may name its internals
 * and ids) reaches the caller: each message is fixed, naming only the peer,
 * which ErrorInfo metadata `peer` also carries.
 *
 * - A peer that is down, refuses connections, is slow or hangs, or answers
 *   RESOURCE_EXHAUSTED (it is overloaded), ABORTED (its own conflict) or
 *   CANCELLED (it gave the call up; after our deadline, the timeout it is) is
 *   UNAVAILABLE `DEPENDENCY_UNAVAILABLE`: retrying later may help.
 * - The peer refusing the caller's token or the caller's access is the
 *   caller's UNAUTHENTICATED or PERMISSION_DENIED.
 * - A NOT_FOUND naming an id (ErrorInfo metadata `id`, as KitError.notFound
 *   sends it) is returned as the peer sent it, for the lookup that made the
 *   call to attribute to a request field (`readNotFoundId`); a lookup that
 *   cannot attribute it throws `peerFailed(peer)`.
 * - Any other status (INTERNAL, UNKNOWN, INVALID_ARGUMENT, FAILED_PRECONDITION,
 *   a NOT_FOUND naming nothing, ...) is a fault of the peer, or of how this
 *   service calls it, that the caller cannot fix: `peerFailed`.
 */
export function peerFailure(peer: string, error: unknown): unknown {
  const failure = error as Partial<ServiceError>;
  switch (failure.code) {
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.RESOURCE_EXHAUSTED:
    case status.ABORTED:
    case status.CANCELLED:
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
      return new KitError('PERMISSION_DENIED', `the ${peer} service refused the caller`, [], {
        peer,
      });
    case status.NOT_FOUND:
      return readNotFoundId(failure as ServiceError) === null ? peerFailed(peer) : error;
    default:
      return peerFailed(peer);
  }
}

/**
 * A peer's answer this service cannot pass on as anything the caller can act
 * on: `DEPENDENCY_FAILED`, kind `unavailable` (see KitErrorCode for why), a
 * fixed message naming the peer and nothing of what the peer said.
 */
export function peerFailed(peer: string): KitError {
  return new KitError(
    'DEPENDENCY_FAILED',
    `the ${peer} service failed to answer this request`,
    [],
    { peer },
  );
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
    tls: options.tls,
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
