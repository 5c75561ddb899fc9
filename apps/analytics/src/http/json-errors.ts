import type { ErrorRequestHandler } from 'express';
import { DomainError, uuidv7, type ErrorKind } from '@nexus/core';
import type { Logger } from '@nexus/ops';

/** The HTTP status of each error kind (the google.rpc mapping of the matching gRPC codes). */
export function httpStatusOf(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid_argument':
    case 'failed_precondition':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'permission_denied':
      return 403;
    case 'not_found':
      return 404;
    case 'already_exists':
    case 'aborted':
      return 409;
    case 'resource_exhausted':
      return 429;
    case 'unavailable':
      return 503;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/**
 * `{ error: { code, message, violations? } }` with the status of the error's kind.
 * A body express.json refused is the caller's mistake (its own 4xx); anything
 * else is a bug: 500 with a correlation id, logged.
 */
export function jsonErrors(logger: Logger, what: string): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof DomainError) {
      res.status(httpStatusOf(error.kind)).json({
        error: {
          code: String(error.code),
          message: error.message,
          ...(error.violations.length > 0 ? { violations: error.violations } : {}),
        },
      });
      return;
    }
    const refused = refusedBody(error);
    if (refused) {
      res.status(refused.status).json({
        error: { code: 'INVALID_ARGUMENT', message: refused.message },
      });
      return;
    }
    const correlationId = uuidv7();
    logger.error({ err: error, correlationId }, `${what} failed`);
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error', correlationId } });
  };
}

/**
 * body-parser's errors (bad JSON, too large) carry the status meant for the
 * caller. Its messages can quote the body (a password), so they are not passed on.
 */
function refusedBody(error: unknown): { status: number; message: string } | null {
  const { status, expose, type } = (error ?? {}) as {
    status?: unknown;
    expose?: unknown;
    type?: unknown;
  };
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true) return null;
  const message =
    type === 'entity.parse.failed'
      ? 'the body is not valid JSON'
      : type === 'entity.too.large'
        ? 'the body is too large'
        : 'the body cannot be read';
  return { status, message };
}
