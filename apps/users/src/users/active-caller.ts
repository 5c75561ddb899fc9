import type { Principal } from '@nexus/core';
import { queryPrepared, type Tx } from '@nexus/db';
import { UsersError } from '../users.errors';
import type { UserEntity } from './user.entity';

const inactive = () =>
  new UsersError('ACCOUNT_INACTIVE', 'your account is deactivated: it can change nothing');

/**
 * A deactivated user can change nothing, even with a token issued before the
 * deactivation and not yet refused by every service. Checked in the write's
 * transaction under a lock on the caller's row, so a concurrent deactivation
 * either waits for this write or is seen by it. Returns the `authorize` for
 * the write on `targetId`: when callers write their own row, the check runs
 * on it under the write's own row lock (locking it twice, FOR SHARE first,
 * would let two such writes deadlock); otherwise the caller's row is held
 * FOR SHARE here (it conflicts with the FOR NO KEY UPDATE of a deactivation).
 */
export async function activeCaller(
  tx: Tx,
  caller: Principal,
  targetId: string | null,
): Promise<(target: UserEntity) => void> {
  if (caller.userId === targetId) {
    return (target) => {
      if (!target.isActive) throw inactive();
    };
  }
  const rows = await queryPrepared<{ is_active: boolean }>(
    tx.manager,
    `SELECT is_active FROM "users"."users" WHERE id = $1 FOR SHARE`,
    [caller.userId],
  );
  if (!rows[0]?.is_active) throw inactive();
  return () => undefined;
}
