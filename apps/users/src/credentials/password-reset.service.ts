import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { Tx, inTransaction, queryPrepared, type CrudRepository } from '@nexus/db';
import { UsersError } from '../users.errors';
import { UserEntity } from '../users/user.entity';
import type { SessionEnder } from '../sessions/session.service';
import type { PasswordHasher } from './password-hasher';
import { hashIssuedToken } from './token-hash';
import type { PasswordResetConfig } from './password-reset.config';
import { setPassword, invalidateResetTokens } from './password-write';
import { sealResetDelivery } from './reset-delivery';
import type { AttemptSource } from './sign-in-throttle';
import type { SignInThrottleStore } from './sign-in-throttle.store';

/** Marks an unused reset token used and returns it; nothing when it is unknown or used. */
const CLAIM_RESET_SQL = `
  UPDATE "users"."password_resets" SET used_at = now()
  WHERE token_hash = $1 AND used_at IS NULL
  RETURNING user_id, expires_at`;

const invalidToken = () =>
  new UsersError('INVALID_RESET_TOKEN', 'the token is invalid, expired or already used', [
    { field: 'token', description: 'is invalid, expired or already used', reason: 'INVALID_TOKEN' },
  ]);

/**
 * Password reset by mail. A request answers the same (OK, after the same
 * time) whether or not the login exists; for an active user it issues a
 * single-use token (its SHA-256 stored, earlier ones used up) and publishes
 * `password_reset_requested`, whose `delivery` only the mail sender can open.
 * The reset sets the password as ChangePassword does and ends every session.
 */
export class PasswordResetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: CrudRepository<UserEntity>,
    private readonly hasher: PasswordHasher,
    private readonly throttle: SignInThrottleStore,
    private readonly sessions: SessionEnder,
    private readonly config: PasswordResetConfig,
  ) {}

  async request(login: string, source: AttemptSource): Promise<void> {
    const started = Date.now();
    // Throttled by source only: a refusal is the same for every login.
    await this.throttle.admitResetRequest(source);
    try {
      await this.issue(login);
    } finally {
      const left = started + this.config.responseFloorMs - Date.now();
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
  }

  async reset(token: string, newPassword: string): Promise<void> {
    // A token that cannot work is refused before the argon2 hash, which
    // would otherwise be free work for anyone sending made-up tokens.
    const [usable] = await queryPrepared(
      this.dataSource.manager,
      `SELECT 1 AS usable FROM "users"."password_resets"
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`,
      [hashIssuedToken(token)],
    );
    if (!usable) throw invalidToken();
    // Hashed before the transaction: argon2 takes long, and nothing is locked yet.
    const passwordHash = await this.hasher.hash(newPassword);
    await inTransaction(this.dataSource, null, async (claim) => {
      // Claimed by marking it used in one statement: a concurrent reset with the
      // same token waits for this transaction and then finds it used. A refusal
      // below rolls the claim back.
      const [rows] = await claim.manager.query<[{ user_id: string; expires_at: Date }[], number]>(
        CLAIM_RESET_SQL,
        [hashIssuedToken(token)],
      );
      const record = rows[0];
      if (!record || record.expires_at.getTime() < Date.now()) throw invalidToken();
      // The token proves who acts: the user is the actor of what follows.
      const tx = new Tx(claim.manager, record.user_id);
      await setPassword(tx, this.users, record.user_id, passwordHash, (user) => {
        if (!user.isActive) throw new UsersError('ACCOUNT_INACTIVE', 'this account is deactivated');
      });
      await this.sessions.endAllSessions(tx, record.user_id, 'PASSWORD_CHANGED');
    });
  }

  /** For an active user with this login: a new token, the older ones used up, one event. */
  private async issue(login: string): Promise<void> {
    const found = await this.dataSource.manager.findOne(UserEntity, {
      where: login.includes('@') ? { email: login } : { username: login },
    });
    if (!found) return;
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.ttlSeconds * 1000);
    await ignoringInactive(
      inTransaction(this.dataSource, null, async (tx) => {
        await this.users.update(tx, found.id, {
          verb: 'password_reset_requested',
          force: true, // no resource field changes: the token is kept beside the user
          authorize: (user) => {
            if (!user.isActive) throw new InactiveUser();
          },
          // Sealed from the locked row: the address the user has now, not one changed meanwhile.
          eventExtra: (user) => ({
            delivery: {
              ...sealResetDelivery(
                { userId: user.id, email: user.email, token, expireTime: expiresAt.toISOString() },
                this.config.deliveryKey,
              ),
            },
          }),
          apply: async () => {
            await invalidateResetTokens(tx, found.id);
            await tx.manager.query(
              `INSERT INTO "users"."password_resets" (id, user_id, token_hash, expires_at)
             VALUES ($1, $2, $3, $4)`,
              [uuidv7(), found.id, hashIssuedToken(token), expiresAt],
            );
          },
        });
      }),
    );
  }
}

/** A deactivated user gets no reset token; the caller hears OK all the same. */
class InactiveUser extends Error {}

async function ignoringInactive(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof InactiveUser)) throw error;
  }
}
