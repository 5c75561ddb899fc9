import type { DataSource } from 'typeorm';
import { queryPrepared } from '@nexus/db';

/** What the API shows of a user's sign-ins (to the user and to admins). */
export interface SignInState {
  failedLoginCount: number;
  lastLoginAt: Date | null;
}

export const NEVER_SIGNED_IN: SignInState = { failedLoginCount: 0, lastLoginAt: null };

interface SignInStateRow {
  failed_login_count: number;
  last_login_at: Date | null;
}

/**
 * Sign-in bookkeeping, outside the user row and its outbox. Each write is a
 * single upsert, so concurrent attempts all count; a user erased meanwhile
 * gets no row (the insert selects from users).
 */
export class SignInStore {
  constructor(private readonly dataSource: DataSource) {}

  async recordFailure(userId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "users"."sign_in_states" (user_id, failed_login_count)
       SELECT id, 1 FROM "users"."users" WHERE id = $1
       ON CONFLICT (user_id) DO UPDATE
         SET failed_login_count = "sign_in_states".failed_login_count + 1`,
      [userId],
    );
  }

  /** The right password: the failed count restarts; an active account's sign-in time is kept. */
  async recordSuccess(userId: string, active: boolean): Promise<SignInState> {
    const rows: SignInStateRow[] = await this.dataSource.query(
      `INSERT INTO "users"."sign_in_states" (user_id, failed_login_count, last_login_at)
       SELECT id, 0, CASE WHEN $2::boolean THEN now() END FROM "users"."users" WHERE id = $1
       ON CONFLICT (user_id) DO UPDATE
         SET failed_login_count = 0,
             last_login_at = coalesce(excluded.last_login_at, "sign_in_states".last_login_at)
       RETURNING failed_login_count, last_login_at`,
      [userId, active],
    );
    const row = rows[0];
    return row
      ? { failedLoginCount: row.failed_login_count, lastLoginAt: row.last_login_at }
      : NEVER_SIGNED_IN;
  }

  /** The state of each of `userIds` that ever tried to sign in. */
  async statesOf(userIds: readonly string[]): Promise<Map<string, SignInState>> {
    if (userIds.length === 0) return new Map();
    // Read for every user an owner or admin gets back, writes included: prepared.
    const rows = await queryPrepared<SignInStateRow & { user_id: string }>(
      this.dataSource.manager,
      `SELECT user_id, failed_login_count, last_login_at
         FROM "users"."sign_in_states" WHERE user_id = ANY($1::uuid[])`,
      [userIds],
    );
    return new Map(
      rows.map((row) => [
        row.user_id,
        { failedLoginCount: row.failed_login_count, lastLoginAt: row.last_login_at },
      ]),
    );
  }

  async stateOf(userId: string): Promise<SignInState> {
    return (await this.statesOf([userId])).get(userId) ?? NEVER_SIGNED_IN;
  }
}
