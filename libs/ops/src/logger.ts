import pino, { type Logger } from 'pino';
import { safeError, withSafeErrors } from './safe-error';
import { traceLogFields, tracingEnabled } from './tracing';

export type { Logger } from 'pino';

/** Paths that may hold secrets; their values never reach a log line. */
const REDACTED = [
  'password',
  '*.password',
  'oldPassword',
  'newPassword',
  '*.oldPassword',
  '*.newPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'passwordHash',
  '*.passwordHash',
  'authorization',
  '*.authorization',
];

function safeThrown(value: unknown): unknown {
  return value === undefined ? value : safeError(value);
}

/**
 * JSON logs to stdout, one line per event, secrets redacted. Every Error
 * passed to a log call, at any depth and under any key, is logged as its
 * SafeError (an allow-list: class, code, object names, stack frames), so a
 * driver message or a query's parameters never reach a line; an `err` or
 * `error` that is not an Error (a thrown string or object) is logged as its
 * kind only. With tracing on, a line logged inside a span carries its
 * `trace_id` and `span_id`.
 */
export function createLogger(
  options: { service: string; level: string },
  destination: pino.DestinationStream = process.stdout,
): Logger {
  return pino(
    {
      name: options.service,
      level: options.level,
      redact: { paths: REDACTED, censor: '[redacted]' },
      base: { service: options.service },
      mixin: tracingEnabled() ? traceLogFields : undefined,
      // Also for a child's bindings, which skip logMethod: a non-Error is only its kind.
      serializers: { err: safeThrown, error: safeThrown },
      hooks: {
        // Before pino reads the arguments: it would take an error's message as the line's `msg`.
        logMethod(args, method) {
          const [first, ...rest] = args;
          const merged = first instanceof Error ? { err: first } : first;
          method.apply(this, [merged, ...rest].map((arg) => withSafeErrors(arg)) as typeof args);
        },
      },
    },
    destination,
  );
}
