import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { KitError, requestFingerprint, type IdempotencyKey, type Principal } from '@nexus/core';

/** The call's correlation id and logger; the kit may make them only when first asked for. */
export interface CallScope {
  readonly correlationId: string;
  /** Bound to the method and correlation id. */
  readonly logger: Logger;
}

/** What a handler knows about the call besides its request. */
export class CallContext {
  constructor(
    /** The RPC's name, e.g. `CreateDocument`. */
    readonly method: string,
    /** The verified caller, or null when the call carried no token. */
    readonly principal: Principal | null,
    /** The caller's deadline, to pass on to calls made on its behalf. */
    readonly deadline: Date | undefined,
    readonly metadata: Metadata,
    private readonly scope: CallScope,
    /** grpc-js's name of the client's end of the connection: `<address>:<port>`, or `unknown`. */
    private readonly peer: string = '',
  ) {}

  /**
   * The client's IP address without its port (`10.0.0.7`, `2001:db8::1`; an
   * IPv4 client of a dual-stack socket as plain IPv4), or `unknown`. Behind a
   * proxy this is the proxy's address: no forwarded header is trusted (any
   * caller could write one).
   */
  get peerAddress(): string {
    const port = /:\d+$/.exec(this.peer);
    const address = port ? this.peer.slice(0, port.index) : this.peer;
    return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') || 'unknown';
  }

  /** The caller's x-request-id, or one made for this call. */
  get correlationId(): string {
    return this.scope.correlationId;
  }

  get logger(): Logger {
    return this.scope.logger;
  }

  /**
   * The signed-in caller. The kit has already refused a call without a valid
   * token unless its RPC is declared public, so in any other handler this is
   * never missing; a public handler reads `principal` instead.
   */
  get caller(): Principal {
    if (!this.principal) throw KitError.unauthenticated();
    return this.principal;
  }

  /**
   * The call's `request_id` bound to this caller, this method and `request`
   * (by default the whole request; a handler may leave out a secret such as a
   * password, which must not be digested outside its own hash). Undefined
   * when the caller sent no request id.
   */
  idempotencyKey(requestId: string | undefined, request: object): IdempotencyKey | undefined {
    if (!requestId) return undefined;
    return {
      requestId,
      caller: this.principal?.userId ?? '',
      method: this.method,
      fingerprint: requestFingerprint(request),
    };
  }

  /** The id recorded as the actor of the events this call causes. */
  get actor(): string | null {
    return this.principal?.userId ?? null;
  }
}
