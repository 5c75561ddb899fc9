import type { CrudRepository, Tx } from '@nexus/db';
import type { UserEntity } from '../users/user.entity';

/**
 * The one way a password changes (ChangePassword, ResetPassword): the new
 * hash on the user row, one `password_changed` event (no resource field
 * changes, hence `force`; every service revokes the user's earlier tokens
 * from it), and every reset token the user still holds used up.
 */
export async function setPassword(
  tx: Tx,
  users: CrudRepository<UserEntity>,
  userId: string,
  passwordHash: string,
  authorize: (user: UserEntity) => void,
): Promise<UserEntity> {
  const user = await users.update(tx, userId, {
    verb: 'password_changed',
    force: true,
    authorize,
    apply: (u) => {
      u.passwordHash = passwordHash;
    },
  });
  await invalidateResetTokens(tx, userId);
  return user;
}

/** Marks every unused reset token of the user used (a newer one, or a new password, replaces them). */
export async function invalidateResetTokens(tx: Tx, userId: string): Promise<void> {
  await tx.manager.query(
    `UPDATE "users"."password_resets" SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`,
    [userId],
  );
}
