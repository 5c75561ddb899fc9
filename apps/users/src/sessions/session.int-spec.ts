import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { CrudRepository } from '@nexus/db';
import { createLogger } from '@nexus/ops';
import { commonV1, usersV1 } from '@nexus/proto';
import { EventCollector, grpcError, signTestToken, until } from '@nexus/testing';
import { PASSWORD, startUsers, type SignedUp, type UsersHarness } from '../testing/users-harness';
import { sessionAggregate } from './session.aggregate';
import { SessionEntity } from './session.entity';
import { SessionPurger } from './session-purger';

let users: UsersHarness;
let events: EventCollector;

beforeAll(async () => {
  events = await EventCollector.start(['nexus.users.session', 'nexus.users.user']);
  users = await startUsers();
});

afterAll(async () => {
  await events.stop();
  await users.stop();
});

const as = (token: string) => ({ token });
const asAdmin = () => as(users.adminToken);

/** The claims of an access token (already verified by the service that issued it). */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

function signIn(user: usersV1.User, client?: string) {
  return users.client.authenticate({ login: user.email, password: PASSWORD, client });
}

function listSessions(
  userId: string,
  token: string,
  extra: Partial<usersV1.ListSessionsRequest> = {},
) {
  return users.client.listSessions(
    usersV1.ListSessionsRequest.fromPartial({ userId, ...extra }),
    as(token),
  );
}

/** A session of a fresh user of `role` (created by the admin), signed in once. */
async function freshUser(role = commonV1.Role.ROLE_USER): Promise<SignedUp> {
  return users.signUp({ role });
}

describe('Authenticate and RefreshSession', () => {
  it('issues a refresh token bound to a session whose id the access token carries as sid', async () => {
    const { user } = await freshUser();
    const before = Date.now();
    const session = await signIn(user, 'session test');
    expect(session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(claimsOf(session.accessToken)).toMatchObject({
      sub: user.id,
      role: 'user',
      sid: session.sessionId,
    });
    // ASVS level 2 defaults: 30 minutes idle.
    expect(session.refreshExpireTime!.getTime()).toBeGreaterThanOrEqual(before + 1_800_000 - 1000);
    expect(session.refreshExpireTime!.getTime()).toBeLessThanOrEqual(Date.now() + 1_800_000);
  });

  it('rotates the refresh token: the new one works once, the session and user stay', async () => {
    const { user } = await freshUser();
    const first = await signIn(user);
    const second = await users.client.refreshSession({ refreshToken: first.refreshToken });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.tokenType).toBe('Bearer');
    expect(second.user).toMatchObject({ id: user.id, email: user.email });
    expect(claimsOf(second.accessToken)).toMatchObject({ sub: user.id, sid: first.sessionId });
    // The new access token works.
    const me = await users.client.getUser({ id: user.id }, as(second.accessToken));
    expect(me.id).toBe(user.id);
    const third = await users.client.refreshSession({ refreshToken: second.refreshToken });
    expect(third.sessionId).toBe(first.sessionId);
  });

  it('ends the whole session when an exchanged refresh token comes back, so the newest one fails too', async () => {
    const { user } = await freshUser();
    const first = await signIn(user);
    const second = await users.client.refreshSession({ refreshToken: first.refreshToken });

    const reused = await grpcError(
      users.client.refreshSession({ refreshToken: first.refreshToken }),
    );
    expect(reused).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'REFRESH_TOKEN_REUSED' });
    expect(reused.details).not.toContain(first.refreshToken);
    const newest = await grpcError(
      users.client.refreshSession({ refreshToken: second.refreshToken }),
    );
    expect(newest).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'INVALID_REFRESH_TOKEN' });
    // Reusing it again changes nothing more.
    const again = await grpcError(
      users.client.refreshSession({ refreshToken: first.refreshToken }),
    );
    expect(again).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'INVALID_REFRESH_TOKEN' });

    const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
    const family = sessions.find((s) => s.id === first.sessionId)!;
    expect(family.endReason).toBe('REFRESH_TOKEN_REUSED');
    expect(family.endTime).toBeDefined();
    // The user's other session (the harness's sign-in) is not touched.
    const open = await listSessions(user.id, users.adminToken);
    expect(open.sessions.map((s) => s.id)).toEqual(
      sessions.filter((s) => s.id !== first.sessionId).map((s) => s.id),
    );
  });

  it('lets one of two concurrent exchanges of the same token win and ends the session for the other', async () => {
    const { user } = await freshUser();
    const { refreshToken } = await signIn(user);
    const outcomes = await Promise.allSettled([
      users.client.refreshSession({ refreshToken }),
      users.client.refreshSession({ refreshToken }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = outcomes.find((o) => o.status === 'fulfilled')!;
    const next = winner.value;
    const after = await grpcError(users.client.refreshSession({ refreshToken: next.refreshToken }));
    expect(after.code).toBe(status.UNAUTHENTICATED);
  });

  it('refuses an unknown refresh token with UNAUTHENTICATED and an empty one with INVALID_ARGUMENT', async () => {
    const unknown = await grpcError(users.client.refreshSession({ refreshToken: 'A'.repeat(43) }));
    expect(unknown).toMatchObject({
      code: status.UNAUTHENTICATED,
      reason: 'INVALID_REFRESH_TOKEN',
    });
    const empty = await grpcError(users.client.refreshSession({ refreshToken: '' }));
    expect(empty).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['refresh_token'] });
    const long = await grpcError(users.client.refreshSession({ refreshToken: 'x'.repeat(500) }));
    expect(long).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['refresh_token'] });
  });

  it('refuses a refresh after the idle timeout or the absolute lifetime, and lists the session no more', async () => {
    const { user } = await freshUser();
    const idle = await signIn(user);
    const old = await signIn(user);
    const { dataSource } = users.service.runtime;
    // Time passing, without waiting for it.
    await dataSource.query(
      `UPDATE "users"."sessions" SET idle_expires_at = now() - interval '1 second' WHERE id = $1`,
      [idle.sessionId],
    );
    await dataSource.query(
      `UPDATE "users"."sessions" SET absolute_expires_at = now() - interval '1 second' WHERE id = $1`,
      [old.sessionId],
    );
    for (const session of [idle, old]) {
      const refused = await grpcError(
        users.client.refreshSession({ refreshToken: session.refreshToken }),
      );
      expect(refused).toMatchObject({
        code: status.UNAUTHENTICATED,
        reason: 'INVALID_REFRESH_TOKEN',
      });
    }
    const expired = [idle.sessionId, old.sessionId];
    const open = await listSessions(user.id, users.adminToken);
    expect(open.sessions.filter((s) => expired.includes(s.id))).toEqual([]);
    const all = await listSessions(user.id, users.adminToken, { showEnded: true });
    const listed = all.sessions.filter((s) => expired.includes(s.id));
    // Expired, not ended: no end time, an expire time in the past.
    expect(listed.map((s) => s.endTime)).toEqual([undefined, undefined]);
    expect(listed.every((s) => s.expireTime!.getTime() < Date.now())).toBe(true);
  });

  it('takes the client from the request, else from the user-agent, cut to 200 characters', async () => {
    const { user } = await freshUser();
    const labelled = await signIn(user, '  analytics dashboard ');
    const plain = await signIn(user);
    const { sessions } = await listSessions(user.id, labelled.accessToken);
    const byId = new Map(sessions.map((s) => [s.id, s]));
    expect(byId.get(labelled.sessionId)!.client).toBe('analytics dashboard');
    expect(byId.get(plain.sessionId)!.client).toMatch(/grpc-node-js/);
    const tooLong = await grpcError(signIn(user, 'x'.repeat(201)));
    expect(tooLong).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['client'] });
  });
});

describe('sign-ins and refreshes racing a change of the user', () => {
  /** Holds the user's row as a password change in flight does, until `release` commits `sql`. */
  async function holdUserRow(userId: string, sql: string) {
    const runner = users.service.runtime.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(sql, [userId]);
    return async () => {
      await runner.commitTransaction();
      await runner.release();
    };
  }

  /** Until a statement waits for a lock on the users row (a sign-in's or refresh's share lock). */
  const waitingForUserRow = () =>
    until(async () => {
      const waiting: unknown[] = await users.service.runtime.dataSource.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query LIKE '%SELECT role, is_active, password_hash FROM "users"."users"%'`,
      );
      return waiting.length > 0;
    }, 10_000);

  it('gives no session to a sign-in whose password was changed while it was being checked', async () => {
    const { user } = await freshUser();
    const release = await holdUserRow(
      user.id,
      `UPDATE "users"."users" SET password_hash = 'changed meanwhile' WHERE id = $1`,
    );
    const signingIn = grpcError(signIn(user));
    await waitingForUserRow();
    await release();
    expect(await signingIn).toMatchObject({
      code: status.UNAUTHENTICATED,
      reason: 'INVALID_CREDENTIALS',
    });
    // Only the harness's own sign-in.
    const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
    expect(sessions).toHaveLength(1);
  });

  it('signs the access token of a refresh with the role committed meanwhile', async () => {
    const { user } = await freshUser();
    const session = await signIn(user);
    const release = await holdUserRow(
      user.id,
      `UPDATE "users"."users" SET role = 'guest', version = version + 1 WHERE id = $1`,
    );
    const refreshing = users.client.refreshSession({ refreshToken: session.refreshToken });
    await waitingForUserRow();
    await release();
    expect(claimsOf((await refreshing).accessToken)).toMatchObject({ role: 'guest' });
  });
});

describe('SignOut', () => {
  it('ends the session of a refresh token, without an access token', async () => {
    const { user } = await freshUser();
    const session = await signIn(user);
    await users.client.signOut({ refreshToken: session.refreshToken });
    const refused = await grpcError(
      users.client.refreshSession({ refreshToken: session.refreshToken }),
    );
    expect(refused.code).toBe(status.UNAUTHENTICATED);
    const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
    expect(sessions[0]).toMatchObject({ id: session.sessionId, endReason: 'SIGNED_OUT' });
  });

  it("ends the caller's own session (the access token's sid) and leaves the others open", async () => {
    const { user } = await freshUser();
    const mine = await signIn(user);
    const other = await signIn(user);
    await users.client.signOut({ refreshToken: '' }, as(mine.accessToken));
    const refused = await grpcError(
      users.client.refreshSession({ refreshToken: mine.refreshToken }),
    );
    expect(refused.code).toBe(status.UNAUTHENTICATED);
    const stillOpen = await users.client.refreshSession({ refreshToken: other.refreshToken });
    expect(stillOpen.sessionId).toBe(other.sessionId);
  });

  it('succeeds for an unknown or already ended session, and needs a refresh token or an access token', async () => {
    const { user } = await freshUser();
    const session = await signIn(user);
    await users.client.signOut({ refreshToken: 'B'.repeat(43) });
    await users.client.signOut({ refreshToken: session.refreshToken });
    await users.client.signOut({ refreshToken: session.refreshToken });
    const anonymous = await grpcError(users.client.signOut({ refreshToken: '' }));
    expect(anonymous.code).toBe(status.UNAUTHENTICATED);
    // A token minted without a session (as services' own tests do) names none to end.
    const sessionless = signTestToken({ role: 'user', userId: user.id });
    const noSession = await grpcError(users.client.signOut({ refreshToken: '' }, as(sessionless)));
    expect(noSession).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'NO_SESSION' });
  });
});

describe('revocation of access tokens (the kit tails the session events)', () => {
  it("refuses the access token of a signed-out session and keeps the user's other sessions working", async () => {
    const { user } = await freshUser();
    const mine = await signIn(user);
    const other = await signIn(user);
    await users.client.signOut({ refreshToken: '' }, as(mine.accessToken));
    await until(async () => {
      const outcome = await users.client.getUser({ id: user.id }, as(mine.accessToken)).then(
        () => null,
        (error: { code: number }) => error,
      );
      return outcome?.code === status.UNAUTHENTICATED;
    }, 10_000);
    const revoked = await grpcError(users.client.getUser({ id: user.id }, as(mine.accessToken)));
    expect(revoked.reason).toBe('TOKEN_REVOKED');
    const stillFine = await users.client.getUser({ id: user.id }, as(other.accessToken));
    expect(stillFine.id).toBe(user.id);
  });
});

describe('SignOutEverywhere', () => {
  it('ends every session of the user and publishes signed_out on the user', async () => {
    const { user } = await freshUser();
    const a = await signIn(user);
    const b = await signIn(user);
    const answer = await users.client.signOutEverywhere({ userId: user.id }, as(a.accessToken));
    // The harness's own sign-in of the user and these two.
    expect(answer.endedCount).toBe(3);
    for (const session of [a, b]) {
      const refused = await grpcError(
        users.client.refreshSession({ refreshToken: session.refreshToken }),
      );
      expect(refused.code).toBe(status.UNAUTHENTICATED);
    }
    const mine = await events.waitFor(() =>
      events.about(user.id).some((e) => e.type === 'nexus.users.user.signed_out'),
    );
    const signedOut = mine.find(
      (e) => e.subject === user.id && e.type === 'nexus.users.user.signed_out',
    )!;
    expect(signedOut.data).toMatchObject({ actor: user.id, changed: [] });
    expect(signedOut.data.after).toMatchObject({ id: user.id });
    const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
    expect(sessions.map((s) => s.endReason)).toEqual(Array(3).fill('SIGNED_OUT_EVERYWHERE'));
  });

  it('is for the user and admins only', async () => {
    const { user } = await freshUser();
    const stranger = await freshUser(commonV1.Role.ROLE_MANAGER);
    const denied = await grpcError(
      users.client.signOutEverywhere({ userId: user.id }, as(stranger.token)),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const byAdmin = await users.client.signOutEverywhere({ userId: user.id }, asAdmin());
    expect(byAdmin.endedCount).toBe(1);
    const missing = await grpcError(
      users.client.signOutEverywhere({ userId: uuidv7() }, asAdmin()),
    );
    expect(missing.code).toBe(status.NOT_FOUND);
  });
});

describe('ListSessions and EndSession', () => {
  it("pages through the user's sessions newest first and marks the caller's own", async () => {
    const { user } = await freshUser();
    const signIns = [
      await signIn(user, 'one'),
      await signIn(user, 'two'),
      await signIn(user, 'three'),
    ];
    const caller = signIns[1];
    const first = await listSessions(user.id, caller.accessToken, { pageSize: 2 });
    expect(first.sessions.map((s) => s.client)).toEqual(['three', 'two']);
    expect(first.nextPageToken).not.toBe('');
    const second = await listSessions(user.id, caller.accessToken, {
      pageSize: 2,
      pageToken: first.nextPageToken,
    });
    // 'one', then the harness's own sign-in.
    expect(second.sessions.map((s) => s.client)[0]).toBe('one');
    expect(second.sessions).toHaveLength(2);
    expect(second.nextPageToken).toBe('');
    const all = [...first.sessions, ...second.sessions];
    expect(all.filter((s) => s.current).map((s) => s.id)).toEqual([caller.sessionId]);
    expect(all[0]).toMatchObject({ userId: user.id, endReason: '' });
    expect(all[0].createTime).toBeInstanceOf(Date);
    expect(all[0].lastUseTime).toBeInstanceOf(Date);
    // A page token is bound to its query.
    const mixed = await grpcError(
      listSessions(user.id, caller.accessToken, {
        pageSize: 2,
        pageToken: first.nextPageToken,
        showEnded: true,
      }),
    );
    expect(mixed.code).toBe(status.INVALID_ARGUMENT);
  });

  it("keeps another user from listing or ending someone's sessions; an admin may", async () => {
    const owner = await freshUser();
    const stranger = await freshUser();
    const session = await signIn(owner.user);
    const listed = await grpcError(listSessions(owner.user.id, stranger.token));
    expect(listed.code).toBe(status.PERMISSION_DENIED);
    const ended = await grpcError(
      users.client.endSession({ id: session.sessionId }, as(stranger.token)),
    );
    expect(ended.code).toBe(status.NOT_FOUND);
    // Still open.
    expect((await listSessions(owner.user.id, users.adminToken)).sessions).toHaveLength(2);

    const byAdmin = await users.client.endSession({ id: session.sessionId }, asAdmin());
    expect(byAdmin).toMatchObject({ id: session.sessionId, endReason: 'ENDED_BY_ADMIN' });
    const refused = await grpcError(
      users.client.refreshSession({ refreshToken: session.refreshToken }),
    );
    expect(refused.code).toBe(status.UNAUTHENTICATED);
  });

  it('lets the user end a session of their own, guests included', async () => {
    const guest = await freshUser(commonV1.Role.ROLE_GUEST);
    const phone = await signIn(guest.user, 'phone');
    const ended = await users.client.endSession({ id: phone.sessionId }, as(guest.token));
    expect(ended).toMatchObject({ id: phone.sessionId, endReason: 'ENDED', current: false });
    expect(ended.endTime).toBeDefined();
    // Ending it again changes nothing.
    const again = await users.client.endSession({ id: phone.sessionId }, as(guest.token));
    expect(again.endTime).toEqual(ended.endTime);
    const missing = await grpcError(users.client.endSession({ id: uuidv7() }, as(guest.token)));
    expect(missing.code).toBe(status.NOT_FOUND);
    const invalid = await grpcError(users.client.endSession({ id: 'nope' }, as(guest.token)));
    expect(invalid).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['id'] });
  });
});

describe('what ends sessions and what does not', () => {
  it('a password change ends every session of the user', async () => {
    const { user, token } = await freshUser();
    const session = await signIn(user);
    await users.client.changePassword(
      { id: user.id, oldPassword: PASSWORD, newPassword: `${PASSWORD} again` },
      as(token),
    );
    const refused = await grpcError(
      users.client.refreshSession({ refreshToken: session.refreshToken }),
    );
    expect(refused.code).toBe(status.UNAUTHENTICATED);
    const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
    expect(new Set(sessions.map((s) => s.endReason))).toEqual(new Set(['PASSWORD_CHANGED']));
  });

  it('deactivation, by DeleteUser or by UpdateUser is_active=false, ends every session', async () => {
    for (const deactivate of [
      (id: string) => users.client.deleteUser({ id, etag: '', hard: false }, asAdmin()),
      (id: string) =>
        users.client.updateUser(
          usersV1.UpdateUserRequest.fromPartial({
            user: { id, isActive: false },
            updateMask: ['is_active'],
          }),
          asAdmin(),
        ),
    ]) {
      const { user } = await freshUser();
      const session = await signIn(user);
      await deactivate(user.id);
      const refused = await grpcError(
        users.client.refreshSession({ refreshToken: session.refreshToken }),
      );
      expect(refused).toMatchObject({
        code: status.UNAUTHENTICATED,
        reason: 'INVALID_REFRESH_TOKEN',
      });
      const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
      expect(new Set(sessions.map((s) => s.endReason))).toEqual(new Set(['USER_DEACTIVATED']));
      // Reactivated, the user signs in again; the old sessions stay ended.
      await users.client.undeleteUser({ id: user.id }, asAdmin());
      const again = await grpcError(
        users.client.refreshSession({ refreshToken: session.refreshToken }),
      );
      expect(again.code).toBe(status.UNAUTHENTICATED);
    }
  });

  it('erasing the user ends its sessions (each with its event) and the refresh fails', async () => {
    const { user } = await freshUser();
    const session = await signIn(user);
    await users.client.deleteUser({ id: user.id, etag: '', hard: true }, asAdmin());
    const refused = await grpcError(
      users.client.refreshSession({ refreshToken: session.refreshToken }),
    );
    expect(refused.code).toBe(status.UNAUTHENTICATED);
    const ended = await events.waitFor(() =>
      events.about(session.sessionId).some((e) => e.type === 'nexus.users.session.ended'),
    );
    const event = ended.find(
      (e) => e.subject === session.sessionId && e.type === 'nexus.users.session.ended',
    )!;
    expect(event.data.after).toMatchObject({ endReason: 'USER_DELETED' });
  });

  it('a role change keeps the sessions, and the next refresh carries the new role', async () => {
    const { user } = await freshUser();
    const session = await signIn(user);
    await users.client.updateUser(
      usersV1.UpdateUserRequest.fromPartial({
        user: { id: user.id, role: commonV1.Role.ROLE_MANAGER },
        updateMask: ['role'],
      }),
      asAdmin(),
    );
    const refreshed = await users.client.refreshSession({ refreshToken: session.refreshToken });
    expect(refreshed.sessionId).toBe(session.sessionId);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({
      role: 'manager',
      sid: session.sessionId,
    });
    expect(refreshed.user!.role).toBe(commonV1.Role.ROLE_MANAGER);
  });
});

describe('session events', () => {
  it('publishes created, refreshed and ended with the Session resource and never a token or its hash', async () => {
    const { user } = await freshUser();
    const first = await signIn(user, 'evented');
    const second = await users.client.refreshSession({ refreshToken: first.refreshToken });
    await users.client.signOut({ refreshToken: second.refreshToken });
    const received = await events.waitFor(() => events.about(first.sessionId).length >= 3);
    const mine = received.filter((e) => e.subject === first.sessionId);
    expect(mine.map((e) => e.type)).toEqual([
      'nexus.users.session.created',
      'nexus.users.session.refreshed',
      'nexus.users.session.ended',
    ]);
    expect(mine[0].key).toBe(first.sessionId);
    expect(mine[0].headers).toMatchObject({
      ce_type: 'nexus.users.session.created',
      ce_source: '/nexus/users',
      ce_subject: first.sessionId,
    });
    // Signing in and refreshing are anonymous calls: no actor (docs/events.md).
    expect(mine[0].data).toMatchObject({
      before: null,
      actor: null,
      after: { id: first.sessionId, userId: user.id, client: 'evented' },
    });
    expect(mine[1].data.changed).toEqual(['expireTime', 'lastUseTime']);
    expect(mine[2].data.after).toMatchObject({ endReason: 'SIGNED_OUT' });
    const secrets = [first.refreshToken, second.refreshToken].flatMap((token) => [
      token,
      createHash('sha256').update(token).digest('hex'),
    ]);
    for (const event of mine) {
      const text = JSON.stringify(event);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/tokenHash|token_hash|refreshToken|accessToken/);
    }
  });
});

describe('SessionPurger', () => {
  it('erases the record of sessions ended or expired longer ago than the retention, and no other', async () => {
    const { user } = await freshUser();
    const ended = await signIn(user);
    await users.client.signOut({ refreshToken: ended.refreshToken });
    const expired = await signIn(user);
    // A used refresh token hash, which goes with its session.
    await users.client.refreshSession({ refreshToken: expired.refreshToken });
    const recent = await signIn(user);
    await users.client.signOut({ refreshToken: recent.refreshToken });
    const open = await signIn(user);
    const { dataSource, pageTokens } = users.service.runtime;
    await dataSource.query(
      `UPDATE "users"."sessions" SET ended_at = now() - interval '2 days' WHERE id = $1`,
      [ended.sessionId],
    );
    await dataSource.query(
      `UPDATE "users"."sessions" SET idle_expires_at = now() - interval '2 days' WHERE id = $1`,
      [expired.sessionId],
    );
    const purger = new SessionPurger(
      new CrudRepository(dataSource, SessionEntity, sessionAggregate, pageTokens),
      86_400,
      createLogger({ service: 'test', level: 'silent' }),
    );

    expect(await purger.purgeExpired()).toBeGreaterThanOrEqual(2);
    const { sessions } = await listSessions(user.id, users.adminToken, { showEnded: true });
    const ids = sessions.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([recent.sessionId, open.sessionId]));
    expect(ids).not.toContain(ended.sessionId);
    expect(ids).not.toContain(expired.sessionId);
    const used: unknown[] = await dataSource.query(
      `SELECT 1 FROM "users"."used_refresh_tokens" WHERE session_id = $1`,
      [expired.sessionId],
    );
    expect(used).toEqual([]);
    await events.waitFor(() =>
      events.about(ended.sessionId).some((e) => e.type === 'nexus.users.session.deleted'),
    );
    // The open session is untouched and still refreshes.
    const refreshed = await users.client.refreshSession({ refreshToken: open.refreshToken });
    expect(refreshed.sessionId).toBe(open.sessionId);
  });
});
