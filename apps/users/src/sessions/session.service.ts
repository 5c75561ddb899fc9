import { KitError, type Principal } from '@nexus/core';
import { inTransaction, type CrudRepository, type Page, type Tx } from '@nexus/db';
import type { SignInState, SignInStore } from '../credentials/sign-in.store';
import type { AccessToken, TokenSigner } from '../credentials/token-signer';
import { UsersError } from '../users.errors';
import type { UserEntity } from '../users/user.entity';
import { hashRefreshToken, newRefreshToken } from './refresh-token';
import { checkSessionVisible, checkSessionsOf } from './session-access';
import type { SessionEntity } from './session.entity';
import { absoluteDeadline, idleDeadline, isOpen, type SessionLifetime } from './session-lifetime';
import type { SessionStore } from './session.store';

/** Why a session ended (Session.end_reason). */
export type SessionEndReason =
  | 'SIGNED_OUT'
  | 'SIGNED_OUT_EVERYWHERE'
  | 'ENDED'
  | 'ENDED_BY_ADMIN'
  | 'REFRESH_TOKEN_REUSED'
  | 'PASSWORD_CHANGED'
  | 'USER_DEACTIVATED'
  | 'USER_DELETED';

/** A session with the tokens just issued for it; the refresh token exists nowhere else. */
export interface IssuedSession {
  session: SessionEntity;
  user: UserEntity;
  signIn: SignInState;
  accessToken: AccessToken;
  refreshToken: string;
}

/** What other rules of the users service need: ending a user's sessions in their transaction. */
export interface SessionEnder {
  endAllSessions(tx: Tx, userId: string, reason: SessionEndReason): Promise<number>;
}

const invalidRefreshToken = () =>
  new UsersError(
    'INVALID_REFRESH_TOKEN',
    'the refresh token is not valid, has expired or its session has ended: sign in again',
  );

/**
 * Sessions and refresh tokens. A sign-in starts a session; each refresh
 * exchanges its refresh token for the next one (rotation) and a new access
 * token carrying the session id (`sid`) and the user's role as it is now. A
 * refresh token exchanged twice ends its session: one of the two holders
 * was not its user. Every change of a session is one event on
 * `nexus.users.session`, from which every service revokes the session's
 * access tokens.
 */
export class SessionService implements SessionEnder {
  constructor(
    private readonly sessions: CrudRepository<SessionEntity>,
    private readonly users: CrudRepository<UserEntity>,
    private readonly store: SessionStore,
    private readonly signer: TokenSigner,
    private readonly lifetime: SessionLifetime,
    private readonly signIns: SignInStore,
  ) {}

  /**
   * A new session for a user who has just proved their password (the caller
   * checked it and isActive). Checked again under the user's share lock: a
   * password change or deactivation that committed meanwhile wins. The
   * access token is signed before the commit, so a role change, password
   * change or deactivation committed after it is later than its `iat` and
   * revokes it.
   */
  async start(user: UserEntity, client: string, signIn: SignInState): Promise<IssuedSession> {
    const { token, hash } = newRefreshToken();
    const now = new Date();
    // Signing in is anonymous (no token): the event has no actor, as the
    // user's own sign-in bookkeeping has none (docs/events.md).
    return inTransaction(this.sessions.dataSource, null, async (tx) => {
      const current = await this.store.shareLockUser(tx.manager, user.id);
      if (!current || current.password_hash !== user.passwordHash) {
        throw new UsersError('INVALID_CREDENTIALS', 'invalid login or password');
      }
      if (!current.is_active) {
        throw new UsersError('ACCOUNT_INACTIVE', 'this account is deactivated');
      }
      const created = await this.sessions.create(tx, {
        userId: user.id,
        client,
        tokenHash: hash,
        lastUsedAt: now,
        idleExpiresAt: idleDeadline(this.lifetime, now),
        absoluteExpiresAt: absoluteDeadline(this.lifetime, now),
        endedAt: null,
        endReason: null,
      });
      const session = created.entity;
      const role = current.role as UserEntity['role'];
      return {
        session,
        user: Object.assign(user, { role }),
        signIn,
        accessToken: this.signer.issue(user.id, role, session.id),
        refreshToken: token,
      };
    });
  }

  /**
   * Exchanges a refresh token for the next one and a new access token. The
   * decision is taken under the session's row lock, so of two concurrent
   * exchanges of one token the second sees it used. A reuse ends the session
   * (committed) and then fails; an ended or expired session, or a user who
   * is deactivated or gone, fails without a change. The user's row is
   * share-locked first and the access token signed before the commit, as in
   * `start`: it carries the role as it is, and a change committed after it
   * revokes it.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const hash = hashRefreshToken(refreshToken);
    const next = newRefreshToken();
    const outcome = await inTransaction(this.sessions.dataSource, null, async (tx) => {
      const found = await this.store.sessionOfToken(tx.manager, hash);
      if (!found) return null;
      await this.store.shareLockUser(tx.manager, found.userId);
      const decided: {
        result: 'rotated' | 'reused' | 'refused';
        user: UserEntity | null;
        accessToken: AccessToken | null;
      } = { result: 'refused', user: null, accessToken: null };
      const session = await this.sessions.update(tx, found.sessionId, {
        verb: (before, after) => (after.endedAt && !before.endedAt ? 'ended' : 'refreshed'),
        apply: async (s) => {
          const now = new Date();
          if (!isOpen(s, now)) return;
          if (s.tokenHash !== hash) {
            s.endedAt = now;
            s.endReason = 'REFRESH_TOKEN_REUSED' satisfies SessionEndReason;
            decided.result = 'reused';
            return;
          }
          const user = await this.users.find(s.userId, { manager: tx.manager });
          if (!user?.isActive) return;
          await this.store.recordUsedToken(tx.manager, s.id, hash, now);
          // Strictly later than the last use, so a rotation always changes the resource.
          const usedAt = new Date(Math.max(now.getTime(), s.lastUsedAt.getTime() + 1));
          s.tokenHash = next.hash;
          s.lastUsedAt = usedAt;
          s.idleExpiresAt = idleDeadline(this.lifetime, usedAt);
          decided.result = 'rotated';
          decided.user = user;
          decided.accessToken = this.signer.issue(user.id, user.role, s.id);
        },
      });
      return { ...decided, session };
    });
    if (outcome?.result === 'reused') {
      throw new UsersError(
        'REFRESH_TOKEN_REUSED',
        'this refresh token was already used: its session has been ended, sign in again',
      );
    }
    if (outcome?.result !== 'rotated' || !outcome.user || !outcome.accessToken) {
      throw invalidRefreshToken();
    }
    const { session, user, accessToken } = outcome;
    return {
      session,
      user,
      signIn: await this.signIns.stateOf(user.id),
      accessToken,
      refreshToken: next.token,
    };
  }

  /**
   * Ends the session of `refreshToken` (current or already exchanged), or
   * without one the caller's. Like token revocation (RFC 7009), a token
   * that is unknown or whose session has ended is no error: the client is
   * signed out either way, and a stranger learns nothing.
   */
  async signOut(caller: Principal | null, refreshToken: string): Promise<void> {
    if (refreshToken) {
      const found = await this.store.sessionOfToken(
        this.sessions.dataSource.manager,
        hashRefreshToken(refreshToken),
      );
      if (found) await this.endOne(caller?.userId ?? null, found.sessionId, 'SIGNED_OUT');
      return;
    }
    if (!caller) throw KitError.unauthenticated('send the refresh token, or an access token');
    if (!caller.sessionId) {
      throw new UsersError(
        'NO_SESSION',
        'this access token belongs to no session: sign out with the refresh token',
      );
    }
    const sessionId = caller.sessionId;
    await this.endOne(caller.userId, sessionId, 'SIGNED_OUT', (s) => {
      if (s.userId !== caller.userId) throw KitError.notFound('session', sessionId);
    });
  }

  /**
   * Ends every session of the user and publishes `signed_out` on the user,
   * which revokes every access token issued to them until now, on every
   * service. Answers how many sessions were still open.
   */
  async signOutEverywhere(caller: Principal, userId: string): Promise<number> {
    checkSessionsOf(caller, userId, 'sign out of');
    return inTransaction(this.sessions.dataSource, caller.userId, async (tx) => {
      await this.users.update(tx, userId, {
        verb: 'signed_out',
        // No field of the user changes; the event is the point.
        force: true,
        apply: () => {},
      });
      return this.endAllSessions(tx, userId, 'SIGNED_OUT_EVERYWHERE');
    });
  }

  /** The user's sessions, newest first: open ones, or with `showEnded` all of them. */
  async list(
    caller: Principal,
    query: { userId: string; pageSize: number; pageToken: string; showEnded: boolean },
  ): Promise<Page<SessionEntity>> {
    checkSessionsOf(caller, query.userId, 'list');
    const { userId, showEnded } = query;
    return this.sessions.list({
      filter: (qb) => {
        qb.andWhere('e.user_id = :userId', { userId });
        if (!showEnded) {
          qb.andWhere('e.ended_at IS NULL').andWhere(
            'least(e.idle_expires_at, e.absolute_expires_at) > :now',
            { now: new Date() },
          );
        }
      },
      filterValues: { userId, showEnded },
      order: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
    });
  }

  /** Ends one session: its user's or, for an admin, anyone's. Ending an ended session changes nothing. */
  async end(caller: Principal, id: string): Promise<SessionEntity> {
    const session = await this.sessions.get(id);
    checkSessionVisible(caller, session);
    const reason: SessionEndReason = session.userId === caller.userId ? 'ENDED' : 'ENDED_BY_ADMIN';
    return this.endOne(caller.userId, id, reason);
  }

  /**
   * Ends every open session of the user inside the caller's transaction, one
   * `ended` event each (a password change, a deactivation, an erasure).
   * Answers how many there were.
   */
  async endAllSessions(tx: Tx, userId: string, reason: SessionEndReason): Promise<number> {
    const ids = await this.store.openSessionIds(tx.manager, userId, new Date());
    for (const id of ids) await this.endIn(tx, id, reason);
    return ids.length;
  }

  private endOne(
    actor: string | null,
    id: string,
    reason: SessionEndReason,
    authorize?: (session: SessionEntity) => void,
  ): Promise<SessionEntity> {
    return inTransaction(this.sessions.dataSource, actor, (tx) =>
      this.endIn(tx, id, reason, authorize),
    );
  }

  private endIn(
    tx: Tx,
    id: string,
    reason: SessionEndReason,
    authorize?: (session: SessionEntity) => void,
  ): Promise<SessionEntity> {
    return this.sessions.update(tx, id, {
      verb: 'ended',
      authorize,
      apply: (s) => {
        if (s.endedAt) return;
        s.endedAt = new Date();
        s.endReason = reason;
      },
    });
  }
}
