import { KitError, canWrite, isAdmin, type Principal, type Role } from '@nexus/core';
import { UsersError } from '../users.errors';

/** Fields a user may change on their own account; admins may also change these. */
export const SELF_UPDATABLE = ['email', 'username', 'full_name', 'preferences'] as const;
export const ADMIN_UPDATABLE = [...SELF_UPDATABLE, 'role', 'is_active'] as const;
export type UpdatableField = (typeof ADMIN_UPDATABLE)[number];

/**
 * Who may create a user with `role`: admins any role; without a token,
 * self sign-up as a plain user when enabled; nobody else.
 */
export function checkCreate(
  caller: Principal | null,
  role: Role,
  selfSignupEnabled: boolean,
): void {
  if (caller === null) {
    if (!selfSignupEnabled)
      throw new UsersError('SIGNUP_DISABLED', 'self sign-up is disabled; ask an admin');
    if (role !== 'user') {
      throw new UsersError(
        'ROLE_NOT_ALLOWED',
        `self sign-up creates users with role user, not ${role}`,
        [
          {
            field: 'user.role',
            description: 'only an admin may choose another role',
            reason: 'ROLE_NOT_ALLOWED',
          },
        ],
      );
    }
    return;
  }
  if (!isAdmin(caller))
    throw KitError.denied('only admins create users; sign up without a token instead');
}

/** Every role reads the directory. */
export function checkRead(_caller: Principal): void {}

/**
 * Who sees a user's private fields (preferences, sign-in bookkeeping): the
 * user and admins. Colleagues see what working together needs: who someone
 * is (name, email, role) and whether the account is active and verified.
 */
export function seesPrivateFields(caller: Principal, userId: string): boolean {
  return isAdmin(caller) || caller.userId === userId;
}

/** Admins update anyone; users (not guests) update their own profile fields. */
export function checkUpdate(
  caller: Principal,
  userId: string,
  fields: ReadonlySet<UpdatableField>,
): void {
  if (isAdmin(caller)) return;
  checkSelf(caller, userId, 'update');
  const forbidden = [...fields].filter(
    (field) => !(SELF_UPDATABLE as readonly string[]).includes(field),
  );
  if (forbidden.length > 0) {
    throw new UsersError(
      'FIELD_NOT_ALLOWED',
      `only an admin may change ${forbidden.join(', ')}`,
      forbidden.map((field) => ({
        field: `user.${field}`,
        description: 'only an admin may change this',
        reason: 'ADMIN_ONLY',
      })),
    );
  }
}

/** Admins deactivate or erase anyone; users deactivate their own account only. */
export function checkDelete(caller: Principal, userId: string, hard: boolean): void {
  if (isAdmin(caller)) return;
  if (hard) throw KitError.denied('only admins erase users');
  checkSelf(caller, userId, 'deactivate');
}

export function checkAdmin(caller: Principal, action: string): void {
  if (!isAdmin(caller)) throw KitError.denied(`only admins ${action}`);
}

/** The caller acting on their own account, and allowed to write at all. */
export function checkSelf(caller: Principal, userId: string, action: string): void {
  if (!canWrite(caller)) throw KitError.denied('guests have read-only access');
  if (caller.userId !== userId)
    throw new UsersError('NOT_YOURSELF', `users may only ${action} their own account`);
}
