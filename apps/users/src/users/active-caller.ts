import type { Principal } from '@nexus/core';
import { readById, type Tx } from '@nexus/db';
import { UsersError } from '../users.errors';
import { UserEntity } from './user.entity';

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
 * FOR SHARE here (it conflicts with the write lock a deactivation takes).
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
  const self = await readById(tx.manager, UserEntity, caller.userId, {
    lock: { mode: 'pessimistic_read' },
  });
  if (!self?.isActive) throw inactive();
  return () => undefined;
}
