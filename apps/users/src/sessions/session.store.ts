import type { EntityManager } from 'typeorm';
import { queryPrepared } from '@nexus/db';

/** A session found by one of its refresh tokens: the current one, or one it exchanged. */
export interface SessionOfToken {
  sessionId: string;
  userId: string;
  used: boolean;
}

/** The user's row as a sign-in or refresh needs it, read under a share lock. */
export interface UserForSession {
  role: string;
  is_active: boolean;
  password_hash: string;
}

/**
 * The sessions' own SQL: finding a session by a refresh token's hash, the
 * used-token record, and the open sessions of a user. Writes of the session
 * rows themselves go through the kit's store (one event each).
 */
export class SessionStore {
  async sessionOfToken(manager: EntityManager, tokenHash: string): Promise<SessionOfToken | null> {
    const rows = await queryPrepared<{ session_id: string; user_id: string; used: boolean }>(
      manager,
      `SELECT id AS session_id, user_id, false AS used FROM "users"."sessions" WHERE token_hash = $1
       UNION ALL
       SELECT t.session_id, s.user_id, true AS used
         FROM "users"."used_refresh_tokens" t JOIN "users"."sessions" s ON s.id = t.session_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    return row ? { sessionId: row.session_id, userId: row.user_id, used: row.used } : null;
  }

  /**
   * The user's row, held FOR SHARE until the transaction ends: a password
   * change, role change, deactivation or erasure (which lock the row to
   * write it) then either committed before, and is seen here, or waits for
   * this sign-in or refresh to commit and then ends its session too. Taken
   * before the session's own lock, the order those writes lock in.
   */
  async shareLockUser(manager: EntityManager, userId: string): Promise<UserForSession | null> {
    const rows = await queryPrepared<UserForSession>(
      manager,
      `SELECT role, is_active, password_hash FROM "users"."users" WHERE id = $1 FOR SHARE`,
      [userId],
    );
    return rows[0] ?? null;
  }

  /** Remembers an exchanged refresh token of the session, so a second exchange is recognised. */
  async recordUsedToken(
    manager: EntityManager,
    sessionId: string,
    tokenHash: string,
    usedAt: Date,
  ): Promise<void> {
    await queryPrepared(
      manager,
      `INSERT INTO "users"."used_refresh_tokens" (token_hash, session_id, used_at) VALUES ($1, $2, $3)`,
      [tokenHash, sessionId, usedAt],
    );
  }

  /** The user's sessions that have neither ended nor expired at `now`, in id order (the lock order). */
  async openSessionIds(manager: EntityManager, userId: string, now: Date): Promise<string[]> {
    const rows = await queryPrepared<{ id: string }>(
      manager,
      `SELECT id FROM "users"."sessions"
        WHERE user_id = $1 AND ended_at IS NULL
          AND least(idle_expires_at, absolute_expires_at) > $2
        ORDER BY id`,
      [userId, now],
    );
    return rows.map((row) => row.id);
  }
}
