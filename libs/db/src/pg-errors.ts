import { QueryFailedError } from 'typeorm';
import { KitError } from '@nexus/core';

interface PgErrorFields {
  code?: string;
  constraint?: string;
}

/** The name of the unique constraint a failed query violated, if that is why it failed. */
export function violatedUniqueConstraint(error: unknown): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as PgErrorFields;
  return driverError.code === '23505' ? (driverError.constraint ?? '') : null;
}

/** Connection-class failures: the database is unreachable, not the request wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code =
    (error as PgErrorFields & { driverError?: PgErrorFields }).driverError?.code ??
    (error as PgErrorFields).code;
  if (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P03')) {
    return true;
  }
  // The socket's own code, not a message pattern: a gRPC peer's refused
  // connection quotes "ECONNREFUSED" in its message and is not the database.
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/i.test(
    message,
  );
}

/** A deadlock or serialization failure: the transaction lost a race and may be retried. */
export function isTransactionConflict(error: unknown): boolean {
  const code =
    (error as PgErrorFields & { driverError?: PgErrorFields }).driverError?.code ??
    (error as PgErrorFields).code;
  return code === '40P01' || code === '40001';
}

/**
 * What a database failure means to the caller, as a kit error the API edge
 * maps like any other: a lost race is ABORTED (retry it), an unreachable
 * database UNAVAILABLE (retry later); anything else is not the database's
 * answer to give (undefined). The runtime hands this to RpcKit, so the gRPC
 * edge needs no knowledge of PostgreSQL.
 */
export function classifyDatabaseError(error: unknown): KitError | undefined {
  if (isTransactionConflict(error)) {
    return new KitError(
      'TRANSACTION_CONFLICT',
      'the request conflicted with a concurrent change; retry it',
    );
  }
  if (isDatabaseUnavailable(error)) {
    return new KitError('DATABASE_UNAVAILABLE', 'the database is unavailable; retry later');
  }
  return undefined;
}
