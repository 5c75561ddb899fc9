import {
  status,
  type Metadata,
  type ServerErrorResponse,
  type ServerUnaryCall,
  type ServiceError,
  type ServerReadableStream,
  type ServerWritableStream,
  type handleUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { KitError, uuidv7 } from '@nexus/core';
import { CallContext, type CallScope } from './call-context';
import { checkRequest } from './request-guard';
import { toServiceError, type ErrorClassifier } from './status-mapping';
import { bearerToken, type TokenVerifier } from './token-verifier';

export interface RpcKitOptions {
  verifier: TokenVerifier;
  logger: Logger;
  /** Reads lower layers' failures (the database's) as the domain errors they mean. */
  classify?: ErrorClassifier;
  /**
   * Observes every finished call: its gRPC path (`/package.Service/Method`,
   * the fully qualified method the OpenTelemetry RPC conventions name), its
   * status code's name (`OK`, `NOT_FOUND`...) and its duration.
   */
  observe?: (path: string, code: string, seconds: number) => void;
}

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Who may call an RPC. Every RPC needs a signed-in caller unless it is
 * declared public (sign-up, sign-in, the key set), so forgetting a check
 * cannot open one up.
 */
export interface RpcAccess {
  public: boolean;
}

/** Declares an RPC callable without a token (a token that is sent must still be valid). */
export const PUBLIC: RpcAccess = { public: true };
const SIGNED_IN: RpcAccess = { public: false };

/**
 * Wraps handlers for grpc-js: authenticates the bearer token, builds the call
 * context, maps every thrown error to one status (never leaking internals),
 * and records metrics. Handlers stay plain async functions.
 */
export class RpcKit {
  constructor(private readonly options: RpcKitOptions) {}

  unary<Req, Res>(
    method: string,
    handler: (request: Req, ctx: CallContext) => Promise<Res>,
    access: RpcAccess = SIGNED_IN,
  ): handleUnaryCall<Req, Res> {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      void this.invoke(method, access, call as AnyCall, (ctx) => {
        checkRequest(call.request);
        return handler(call.request, ctx);
      }).then(
        (response) => callback(null, response),
        (error: ServerErrorResponse) => callback(error),
      );
    };
  }

  /** Client-streaming: the handler reads `call` itself and returns the response. */
  clientStream<Req, Res>(
    method: string,
    handler: (call: ServerReadableStream<Req, Res>, ctx: CallContext) => Promise<Res>,
    access: RpcAccess = SIGNED_IN,
  ): (call: ServerReadableStream<Req, Res>, callback: sendUnaryData<Res>) => void {
    return (call, callback) => {
      void this.invoke(method, access, call as AnyCall, (ctx) => handler(call, ctx)).then(
        (response) => callback(null, response),
        (error: ServerErrorResponse) => callback(error),
      );
    };
  }

  /** Server-streaming: the handler writes to `call`; the kit ends it or fails it. */
  serverStream<Req, Res>(
    method: string,
    handler: (call: ServerWritableStream<Req, Res>, ctx: CallContext) => Promise<void>,
    access: RpcAccess = SIGNED_IN,
  ): (call: ServerWritableStream<Req, Res>) => void {
    return (call) => {
      void this.invoke(method, access, call as AnyCall, (ctx) => {
        checkRequest(call.request);
        return handler(call, ctx);
      }).then(
        () => call.end(),
        // grpc-js sends the status of an 'error' event when the stream ends;
        // destroy() would end it without any status and leave the client waiting.
        (error: ServerErrorResponse) => call.emit('error', error),
      );
    };
  }

  /**
   * Authenticates before anything else looks at the request: a caller
   * without a valid token learns UNAUTHENTICATED, not what is wrong with the
   * request it sent.
   */
  private async invoke<T>(
    method: string,
    access: RpcAccess,
    call: AnyCall,
    run: (ctx: CallContext) => Promise<T>,
  ): Promise<T> {
    const started = process.hrtime.bigint();
    const scope = new LazyCallScope(this.options.logger, method, requestIdOf(call.metadata));
    let code = 'OK';
    try {
      const principal = this.principalOf(call.metadata);
      if (!principal && !access.public) throw KitError.unauthenticated();
      const ctx = new CallContext(
        method,
        principal,
        deadlineOf(call),
        call.metadata,
        scope,
        call.getPeer(),
      );
      return await run(ctx);
    } catch (thrown) {
      const { error, unexpected } = toServiceError(
        thrown,
        scope.correlationId,
        this.options.classify,
      );
      code = status[error.code ?? status.UNKNOWN];
      if (unexpected) scope.logger.error({ err: thrown }, 'unexpected error');
      else if (scope.logs('debug')) {
        scope.logger.debug({ code, details: error.details }, 'call failed');
      }
      throw asThrowable(error);
    } finally {
      this.options.observe?.(call.getPath(), code, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private principalOf(metadata: Metadata) {
    const header = metadata.get('authorization')[0];
    const token = bearerToken(typeof header === 'string' ? header : undefined);
    return token === null ? null : this.options.verifier.principalOf(token);
  }
}

/**
 * The correlation id and child logger of one call, made on first use: a call
 * that succeeds without logging (most of them) pays for neither a UUID nor a
 * pino child, which were a measurable share of a cheap call's CPU.
 */
class LazyCallScope implements CallScope {
  private id: string | undefined;
  private child: Logger | undefined;

  constructor(
    private readonly base: Logger,
    private readonly method: string,
    given: string | undefined,
  ) {
    this.id = given;
  }

  get correlationId(): string {
    return (this.id ??= uuidv7());
  }

  get logger(): Logger {
    return (this.child ??= this.base.child({
      method: this.method,
      correlationId: this.correlationId,
    }));
  }

  logs(level: 'debug'): boolean {
    return this.base.isLevelEnabled(level);
  }
}

/**
 * grpc-js reads only code, details and metadata off a failed call, so the
 * status is the same whether it gets a plain object or an Error; an Error
 * (message = details) is what a rejection should carry.
 */
function asThrowable(error: Partial<ServiceError>): ServerErrorResponse {
  return Object.assign(new Error(error.details), error);
}

/** The caller's x-request-id, when it is one we can log and pass on. */
function requestIdOf(metadata: Metadata): string | undefined {
  const given = metadata.get('x-request-id')[0];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : undefined;
}

function deadlineOf(call: AnyCall): Date | undefined {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}
