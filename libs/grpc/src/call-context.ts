import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { KitError, type Principal } from '@nexus/core';

/** The call's correlation id and logger; the kit may make them only when first asked for. */
export interface CallScope {
  readonly correlationId: string;
  /** Bound to the method and correlation id. */
  readonly logger: Logger;
}

/** What a handler knows about the call besides its request. */
export class CallContext {
  constructor(
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

  /** The caller, or UNAUTHENTICATED: for every RPC that is not public. */
  requirePrincipal(): Principal {
    if (!this.principal) throw KitError.unauthenticated();
    return this.principal;
  }

  /** The id recorded as the actor of the events this call causes. */
  get actor(): string | null {
    return this.principal?.userId ?? null;
  }
}
