/**
 * The outcome classes a domain error can have. They mirror the gRPC status
 * codes a caller can act on; the gRPC edge maps each to exactly one status.
 */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'aborted'
  | 'unauthenticated'
  | 'permission_denied'
  | 'resource_exhausted'
  | 'unavailable';

/** One bad field of a request, named by its proto field path (`user.email`). */
export interface FieldViolation {
  field: string;
  description: string;
  reason?: string;
}

/**
 * Base of every error that domain code throws on purpose. Each service
 * subclasses it once with a closed union of codes and an exhaustive mapping
 * from code to kind; anything else reaching the edge is a bug (INTERNAL).
 */
export abstract class DomainError<Code extends string = string> extends Error {
  /** The ErrorInfo domain, e.g. `users.nexus`. */
  abstract readonly domain: string;
  abstract readonly kind: ErrorKind;

  /** When the caller may try again, sent as google.rpc.RetryInfo (a throttled request). */
  readonly retryDelaySeconds: number | undefined;

  constructor(
    readonly code: Code,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
    readonly metadata: Readonly<Record<string, string>> = {},
    options: { retryDelaySeconds?: number } = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.retryDelaySeconds = options.retryDelaySeconds;
  }
}
