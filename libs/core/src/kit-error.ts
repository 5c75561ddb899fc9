import { DomainError, type ErrorKind, type FieldViolation } from './domain-error';

/** Errors raised by the shared kit itself, whatever the service. */
export type KitErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ETAG_MISMATCH'
  | 'NOT_DELETED'
  | 'UNAUTHENTICATED'
  /**
   * A well-signed, unexpired token that the users service has voided since
   * it was issued (sign-out, deactivation, a password or role change): the
   * client refreshes its session or signs in again.
   */
  | 'TOKEN_REVOKED'
  | 'PERMISSION_DENIED'
  /** A request names a user that does not exist or is deactivated (the user directory of @nexus/clients). */
  | 'UNKNOWN_USER'
  | 'DEPENDENCY_UNAVAILABLE'
  /**
   * A peer service answered a call with an error that is neither its being
   * unavailable nor about the caller (its INTERNAL, UNKNOWN, INVALID_ARGUMENT,
   * ...): a fault of the peer, or of how this service calls it, that the
   * caller cannot fix. Kind `unavailable`: there is no `internal` kind, and of
   * the kinds there are it is the one that does not blame the caller's
   * request (`invalid_argument`) or state (`failed_precondition`); the reason
   * DEPENDENCY_FAILED, unlike DEPENDENCY_UNAVAILABLE, tells the caller that
   * retrying soon is unlikely to help.
   */
  | 'DEPENDENCY_FAILED'
  /** A deadlock or serialization failure that retrying inside the service did not resolve. */
  | 'TRANSACTION_CONFLICT'
  /** The service's own database cannot be reached (a restart, a failover). */
  | 'DATABASE_UNAVAILABLE'
  /**
   * A Watch resumed from a cursor older than the change log keeps, or with
   * more changes since it than a replay sends: the client lists again and
   * watches from the cursor the list's stream gives.
   */
  | 'CURSOR_EXPIRED'
  /** A Watch whose client reads slower than its changes come: it resumes from its last cursor. */
  | 'SUBSCRIBER_TOO_SLOW'
  /** The replica serving a Watch is stopping: the client resumes elsewhere from its last cursor. */
  | 'SHUTTING_DOWN';

export function kitErrorKind(code: KitErrorCode): ErrorKind {
  switch (code) {
    case 'INVALID_ARGUMENT':
    case 'UNKNOWN_USER':
      return 'invalid_argument';
    case 'NOT_FOUND':
      return 'not_found';
    case 'ALREADY_EXISTS':
      return 'already_exists';
    case 'ETAG_MISMATCH':
    case 'TRANSACTION_CONFLICT':
      return 'aborted';
    case 'NOT_DELETED':
    case 'CURSOR_EXPIRED':
      return 'failed_precondition';
    case 'SUBSCRIBER_TOO_SLOW':
      return 'resource_exhausted';
    case 'UNAUTHENTICATED':
    case 'TOKEN_REVOKED':
      return 'unauthenticated';
    case 'PERMISSION_DENIED':
      return 'permission_denied';
    case 'DEPENDENCY_UNAVAILABLE':
    case 'DEPENDENCY_FAILED':
    case 'DATABASE_UNAVAILABLE':
    case 'SHUTTING_DOWN':
      return 'unavailable';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

export class KitError extends DomainError<KitErrorCode> {
  readonly domain = 'nexus';
  get kind(): ErrorKind {
    return kitErrorKind(this.code);
  }

  static invalid(violations: FieldViolation[]): KitError {
    const summary = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    return new KitError('INVALID_ARGUMENT', `invalid request: ${summary}`, violations);
  }

  static notFound(resource: string, id: string): KitError {
    return new KitError('NOT_FOUND', `${resource} ${id} not found`, [], { resource, id });
  }

  static denied(message = 'the caller may not do this'): KitError {
    return new KitError('PERMISSION_DENIED', message);
  }

  static unauthenticated(message = 'a valid bearer token is required'): KitError {
    return new KitError('UNAUTHENTICATED', message);
  }
}
