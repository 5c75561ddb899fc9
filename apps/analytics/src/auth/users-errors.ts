import { status, type ServiceError } from '@grpc/grpc-js';
import { KitError } from '@nexus/core';

/** What the users service said, as the kit error the dashboard's caller should see. */
export function usersCallError(error: unknown, unauthenticated: string): unknown {
  const { code, details } = error as Partial<ServiceError>;
  switch (code) {
    case status.UNAUTHENTICATED:
      return KitError.unauthenticated(details || unauthenticated);
    case status.PERMISSION_DENIED:
      // A deactivated account.
      return KitError.denied(details || 'this account may not sign in');
    case status.INVALID_ARGUMENT:
      return new KitError('INVALID_ARGUMENT', details || unauthenticated);
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return new KitError(
        'DEPENDENCY_UNAVAILABLE',
        'the users service is unavailable; try again shortly',
      );
    default:
      return error;
  }
}
