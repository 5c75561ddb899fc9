import { status } from '@grpc/grpc-js';
import { usersV1 } from '@nexus/proto';
import { EventCollector, grpcError } from '@nexus/testing';
import { PASSWORD, startUsers, type UsersHarness } from '../testing/users-harness';

let users: UsersHarness;
let events: EventCollector;

beforeAll(async () => {
  events = await EventCollector.start(['nexus.users.user']);
  users = await startUsers();
});

afterAll(async () => {
  await events.stop();
  await users.stop();
});

const WRONG = 'not the password at all';
const asAdmin = () => ({ token: users.adminToken });

/**
 * Changes the user's full name as the user, then waits for that event. Events
 * of one user share a partition, so anything committed before the marker
 * (a sign-in's event, had it one) has arrived by then.
 */
async function markAndCollect(user: usersV1.User, token: string) {
  const marked = await users.client.updateUser(
    usersV1.UpdateUserRequest.fromPartial({
      user: { id: user.id, etag: user.etag, fullName: `Marked ${user.username}` },
      updateMask: ['full_name'],
    }),
    { token },
  );
  await events.waitFor(() =>
    events.about(user.id).some((e) => e.data.after?.fullName === marked.fullName),
  );
  return { marked, events: events.about(user.id) };
}

describe('sign-in bookkeeping', () => {
  it("leaves the victim's etag alone when a stranger fails to sign in as them, and publishes nothing", async () => {
    const victim = await users.signUp();
    const read = await users.client.getUser({ id: victim.user.id }, { token: victim.token });

    for (const login of [victim.user.email, victim.user.username]) {
      const error = await grpcError(users.client.authenticate({ login, password: WRONG }));
      expect(error).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'INVALID_CREDENTIALS' });
    }

    const after = await users.client.getUser({ id: victim.user.id }, { token: victim.token });
    expect(after.etag).toBe(read.etag);
    expect(after.updateTime).toEqual(read.updateTime);
    expect(after.failedLoginCount).toBe(2);
    // The victim's pending update with the etag they read still applies.
    const { marked, events: mine } = await markAndCollect(read, victim.token);
    expect(marked.fullName).toBe(`Marked ${victim.user.username}`);
    expect(mine.map((e) => e.type)).toEqual([
      'nexus.users.user.created',
      'nexus.users.user.updated',
    ]);
    expect(mine[1].data).toMatchObject({ actor: victim.user.id, changed: ['fullName'] });
  });

  it('records a successful sign-in without changing the etag or publishing an event', async () => {
    const created = await users.client.createUser({
      user: usersV1.User.fromPartial({
        email: `signin-${Date.now()}@example.com`,
        username: `signin-${Date.now()}`,
        fullName: 'Signs In',
      }),
      password: PASSWORD,
      requestId: '',
    });
    expect(created.lastLoginTime).toBeUndefined();
    const before = Date.now();
    const first = await users.client.authenticate({ login: created.email, password: PASSWORD });
    expect(first.user).toMatchObject({ etag: created.etag, failedLoginCount: 0 });
    expect(first.user!.updateTime).toEqual(created.updateTime);
    expect(first.user!.lastLoginTime!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    await grpcError(users.client.authenticate({ login: created.email, password: WRONG }));
    const second = await users.client.authenticate({ login: created.username, password: PASSWORD });
    expect(second.user).toMatchObject({ etag: created.etag, failedLoginCount: 0 });
    expect(second.user!.lastLoginTime!.getTime()).toBeGreaterThanOrEqual(
      first.user!.lastLoginTime!.getTime(),
    );

    const { events: mine } = await markAndCollect(created, first.accessToken);
    expect(mine.map((e) => e.type)).toEqual([
      'nexus.users.user.created',
      'nexus.users.user.updated',
    ]);
    for (const event of mine) {
      expect(event.data.after).not.toHaveProperty('lastLoginTime');
      expect(event.data.after).not.toHaveProperty('failedLoginCount');
    }
  });

  it('shows admins the failed count and last sign-in as they happen', async () => {
    const { user } = await users.signUp();
    const signedIn = await users.client.getUser({ id: user.id }, asAdmin());
    expect(signedIn.lastLoginTime).toEqual(user.lastLoginTime);
    expect(signedIn.failedLoginCount).toBe(0);

    // Concurrent wrong passwords are each counted.
    await Promise.all(
      Array.from({ length: 4 }, () =>
        grpcError(users.client.authenticate({ login: user.email, password: WRONG })),
      ),
    );
    const failed = await users.client.getUser({ id: user.id }, asAdmin());
    expect(failed).toMatchObject({ failedLoginCount: 4, etag: user.etag });
    expect(failed.lastLoginTime).toEqual(user.lastLoginTime);
    const listed = await users.client.listUsers(
      usersV1.ListUsersRequest.fromPartial({ emailPrefix: user.email }),
      asAdmin(),
    );
    expect(listed.users).toEqual([failed]);
    const batch = await users.client.batchGetUsers({ ids: [user.id] }, asAdmin());
    expect(batch.users).toEqual([failed]);

    const again = await users.client.authenticate({ login: user.email, password: PASSWORD });
    const reset = await users.client.getUser({ id: user.id }, asAdmin());
    expect(reset).toMatchObject({ failedLoginCount: 0, etag: user.etag });
    expect(reset.lastLoginTime).toEqual(again.user!.lastLoginTime);
    expect(reset.lastLoginTime!.getTime()).toBeGreaterThanOrEqual(user.lastLoginTime!.getTime());
  });

  it('clears the failed count of a deactivated account on the right password, but records no sign-in', async () => {
    const me = await users.signUp();
    await grpcError(users.client.authenticate({ login: me.user.email, password: WRONG }));
    const { user: deactivated } = await users.client.deleteUser(
      { id: me.user.id, etag: '', hard: false },
      asAdmin(),
    );
    expect(deactivated).toMatchObject({
      failedLoginCount: 1,
      lastLoginTime: me.user.lastLoginTime,
    });
    const refused = await grpcError(
      users.client.authenticate({ login: me.user.email, password: PASSWORD }),
    );
    expect(refused.reason).toBe('ACCOUNT_INACTIVE');
    const after = await users.client.getUser({ id: me.user.id }, asAdmin());
    expect(after).toMatchObject({ failedLoginCount: 0, etag: deactivated!.etag });
    expect(after.lastLoginTime).toEqual(me.user.lastLoginTime);
  });
});
