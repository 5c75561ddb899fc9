import { KitError, canWrite, isAdmin, type Principal } from '@nexus/core';
import { AiUsageError } from '../ai-usage.errors';

/** Managers and admins read everyone's usage; others only their own. */
export function readsEveryone(caller: Principal): boolean {
  return caller.role === 'admin' || caller.role === 'manager';
}

/**
 * Users record their own interactions; admins may record for anyone (an AI
 * gateway acting for many users). Guests never write.
 */
export function checkRecord(caller: Principal, userId: string): void {
  if (!canWrite(caller)) throw KitError.denied('guests have read-only access');
  if (userId !== caller.userId && !isAdmin(caller)) {
    throw new AiUsageError('NOT_YOURSELF', 'only admins record interactions for another user', [
      {
        field: 'interaction.user_id',
        description: 'must be your own id',
        reason: 'NOT_YOURSELF',
      },
    ]);
  }
}

export function checkReadInteraction(caller: Principal, ownerId: string): void {
  if (readsEveryone(caller) || ownerId === caller.userId) return;
  throw new AiUsageError('NOT_YOURSELF', "only managers and admins read other users' usage");
}

/**
 * The user a list or summary is limited to: whoever was asked for by
 * managers and admins (undefined: everyone), the caller themselves otherwise.
 */
export function readableUser(caller: Principal, requested: string | undefined): string | undefined {
  if (readsEveryone(caller)) return requested;
  if (requested && requested !== caller.userId) {
    throw new AiUsageError('NOT_YOURSELF', "only managers and admins read other users' usage", [
      { field: 'user_id', description: 'must be your own id', reason: 'NOT_YOURSELF' },
    ]);
  }
  return caller.userId;
}

/** Prices and budgets are configuration: admins only. */
export function checkAdmin(caller: Principal, action: string): void {
  if (!isAdmin(caller)) throw KitError.denied(`only admins ${action}`);
}
