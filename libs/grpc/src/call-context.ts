import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { KitError, type Principal } from '@nexus/core';

/** What a handler knows about the call besides its request. */
export class CallContext {
  constructor(
    /** The verified caller, or null when the call carried no token. */
    readonly principal: Principal | null,
    readonly correlationId: string,
    /** The caller's deadline, to pass on to calls made on its behalf. */
    readonly deadline: Date | undefined,
    readonly metadata: Metadata,
    readonly logger: Logger,
  ) {}

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
