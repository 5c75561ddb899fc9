import { KitError, isAdmin, type Principal } from '@nexus/core';
import { UsersError } from '../users.errors';

/**
 * Whose sessions a caller may see and end: their own (guests too: signing
 * out is not writing data) and, for admins, anyone's.
 */
export function checkSessionsOf(caller: Principal, userId: string, action: string): void {
  if (isAdmin(caller) || caller.userId === userId) return;
  throw new UsersError('NOT_YOURSELF', `users may only ${action} their own sessions`);
}

/** Someone else's session is not found for a non-admin: session ids are not for strangers. */
export function checkSessionVisible(caller: Principal, session: { id: string; userId: string }) {
  if (isAdmin(caller) || caller.userId === session.userId) return;
  throw KitError.notFound('session', session.id);
}
