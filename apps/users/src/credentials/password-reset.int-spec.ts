import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { EventCollector, captureStdout, grpcError } from '@nexus/testing';
import { PASSWORD, startUsers, type UsersHarness } from '../testing/users-harness';
import { PasswordHasher } from './password-hasher';
import { openResetDelivery } from './reset-delivery';

const RESET_REQUESTED = 'nexus.users.user.password_reset_requested';
const NEW_PASSWORD = 'a brand new passphrase';
const deliveryKey = randomBytes(32);

let users: UsersHarness;
let events: EventCollector;

beforeAll(async () => {
  events = await EventCollector.start(['nexus.users.user']);
  users = await startUsers({ PASSWORD_RESET_DELIVERY_KEY: deliveryKey.toString('base64') });
});

afterAll(async () => {
  await events.stop();
  await users.stop();
});

/** The tokens of the user's reset events so far, opened as the mail sender opens them. */
async function resetTokens(userId: string, count: number): Promise<string[]> {
  await events.waitFor(
    () => events.about(userId).filter((e) => e.type === RESET_REQUESTED).length >= count,
  );
  return events
    .about(userId)
    .filter((e) => e.type === RESET_REQUESTED)
    .map((e) => openResetDelivery(e.data, deliveryKey).token);
}

const signIn = (login: string, password: string) => users.client.authenticate({ login, password });

describe('password reset', () => {
  it('mails a sealed single-use token that resets the password, publishes password_changed and ends every session', async () => {
    const me = await users.signUp();
    const session = await signIn(me.user.email, PASSWORD);
    const logs = captureStdout();
    await users.client.requestPasswordReset({ login: me.user.username });
    const [token] = await resetTokens(me.user.id, 1);

    const requested = events.about(me.user.id).find((e) => e.type === RESET_REQUESTED)!;
    expect(requested.data).toMatchObject({ changed: [], actor: null });
    expect(requested.data.after).toMatchObject({ id: me.user.id, etag: me.user.etag });
    const opened = openResetDelivery(requested.data, deliveryKey);
    expect(opened).toMatchObject({ userId: me.user.id, email: me.user.email });
    expect(new Date(opened.expireTime).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(JSON.stringify(requested.data)).not.toContain(token);
    expect(JSON.stringify(requested.headers)).not.toContain(token);

    await users.client.resetPassword({ token, newPassword: NEW_PASSWORD });
    await events.waitFor(() =>
      events.about(me.user.id).some((e) => e.type === 'nexus.users.user.password_changed'),
    );
    const changed = events
      .about(me.user.id)
      .find((e) => e.type === 'nexus.users.user.password_changed')!;
    expect(changed.data).toMatchObject({ actor: me.user.id, changed: [] });

    expect((await grpcError(signIn(me.user.email, PASSWORD))).code).toBe(status.UNAUTHENTICATED);
    expect((await signIn(me.user.email, NEW_PASSWORD)).user!.id).toBe(me.user.id);
    const refresh = await grpcError(
      users.client.refreshSession({ refreshToken: session.refreshToken }),
    );
    expect(refresh.code).toBe(status.UNAUTHENTICATED);

    const again = await grpcError(
      users.client.resetPassword({ token, newPassword: `${NEW_PASSWORD} 2` }),
    );
    expect(again).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'INVALID_RESET_TOKEN',
      fields: ['token'],
    });
    logs.stop();
    const logged = logs.lines().join('\n');
    for (const secret of [token, NEW_PASSWORD, session.refreshToken]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('answers an unknown login as a known one, after the same time, and issues nothing for it', async () => {
    const me = await users.signUp();
    const timed = async (login: string) => {
      const started = Date.now();
      await users.client.requestPasswordReset({ login });
      return Date.now() - started;
    };
    const known = await timed(me.user.email);
    const unknown = await timed(`nobody-${uuidv7().slice(-12)}@example.com`);
    console.log(`RequestPasswordReset: ${known} ms for a user, ${unknown} ms for an unknown login`);
    expect(known).toBeGreaterThanOrEqual(245);
    expect(unknown).toBeGreaterThanOrEqual(245);
    expect(Math.abs(known - unknown)).toBeLessThan(150);
    await resetTokens(me.user.id, 1);
  });

  it('makes older tokens useless when a new one is issued or the password changes', async () => {
    const me = await users.signUp();
    await users.client.requestPasswordReset({ login: me.user.email });
    await users.client.requestPasswordReset({ login: me.user.email });
    const [first, second] = await resetTokens(me.user.id, 2);
    const stale = await grpcError(
      users.client.resetPassword({ token: first, newPassword: NEW_PASSWORD }),
    );
    expect(stale.reason).toBe('INVALID_RESET_TOKEN');

    await users.client.changePassword(
      { id: me.user.id, oldPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { token: me.token },
    );
    const afterChange = await grpcError(
      users.client.resetPassword({ token: second, newPassword: `${NEW_PASSWORD} 2` }),
    );
    expect(afterChange.reason).toBe('INVALID_RESET_TOKEN');
    expect((await signIn(me.user.email, NEW_PASSWORD)).user!.id).toBe(me.user.id);
  });

  it('issues nothing for a deactivated user, and validates both requests', async () => {
    const me = await users.signUp();
    await users.client.deleteUser(
      { id: me.user.id, etag: '', hard: false },
      { token: users.adminToken },
    );
    await users.client.requestPasswordReset({ login: me.user.email });
    // A marker after the request: events of one user arrive in order.
    const marked = await users.client.undeleteUser({ id: me.user.id }, { token: users.adminToken });
    await events.waitFor(() =>
      events.about(me.user.id).some((e) => e.data.after?.etag === marked.etag),
    );
    expect(events.about(me.user.id).map((e) => e.type)).not.toContain(RESET_REQUESTED);

    const noLogin = await grpcError(users.client.requestPasswordReset({ login: ' ' }));
    expect(noLogin).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['login'] });
    const weak = await grpcError(users.client.resetPassword({ token: 'x', newPassword: 'short' }));
    expect(weak).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['new_password'] });
    const unknown = await grpcError(
      users.client.resetPassword({ token: 'not-a-token', newPassword: NEW_PASSWORD }),
    );
    expect(unknown).toMatchObject({ code: status.INVALID_ARGUMENT, reason: 'INVALID_RESET_TOKEN' });
  });

  it('refuses an expired or made-up token before spending an argon2 hash on the new password', async () => {
    const me = await users.signUp();
    await users.client.requestPasswordReset({ login: me.user.email });
    const [token] = await resetTokens(me.user.id, 1);
    await users.service.runtime.dataSource.query(
      `UPDATE "users"."password_resets" SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [me.user.id],
    );
    const hash = jest.spyOn(PasswordHasher.prototype, 'hash');
    try {
      for (const candidate of [token, 'made-up-token']) {
        const refused = await grpcError(
          users.client.resetPassword({ token: candidate, newPassword: NEW_PASSWORD }),
        );
        expect(refused).toMatchObject({
          code: status.INVALID_ARGUMENT,
          reason: 'INVALID_RESET_TOKEN',
        });
      }
      expect(hash).not.toHaveBeenCalled();
    } finally {
      hash.mockRestore();
    }
    expect((await signIn(me.user.email, PASSWORD)).user!.id).toBe(me.user.id);
  });
});
