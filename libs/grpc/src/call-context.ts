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
  ) {}

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
