import pino, { type Logger } from 'pino';

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

/** JSON logs to stdout, one line per event, secrets redacted. */
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
    },
    destination,
  );
}
