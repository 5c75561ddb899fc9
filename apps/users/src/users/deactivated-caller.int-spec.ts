import { status } from '@grpc/grpc-js';
import { commonV1, usersV1 } from '@nexus/proto';
import { grpcError, signTestToken } from '@nexus/testing';
import { PASSWORD, startUsers, type UsersHarness } from '../testing/users-harness';

let users: UsersHarness;

beforeAll(async () => {
  users = await startUsers();
});

afterAll(async () => {
  await users.stop();
});

/**
 * A token issued after the deactivation: the kit's revocation (which voids
 * tokens issued before it) lets it through, so what refuses the writes below
 * is the users service's own check of the caller's row.
 */
const freshToken = (userId: string, role: 'user' | 'admin') => signTestToken({ userId, role });

/** Deactivates, then lets a second pass: a test token's iat is in whole seconds. */
async function deactivate(id: string): Promise<void> {
  await users.client.deleteUser({ id, etag: '', hard: false }, { token: users.adminToken });
  await new Promise((resolve) => setTimeout(resolve, 1_100));
}

describe('a deactivated caller', () => {
  it('can change nothing of their own account', async () => {
    const me = await users.signUp();
    await deactivate(me.user.id);
    const token = freshToken(me.user.id, 'user');
    const read = await users.client.getUser({ id: me.user.id }, { token: users.adminToken });

    const writes = [
      () =>
        users.client.updateUser(
          usersV1.UpdateUserRequest.fromPartial({
            user: { id: me.user.id, email: `moved-${me.user.email}` },
            updateMask: ['email'],
          }),
          { token },
        ),
      () =>
        users.client.changePassword(
          { id: me.user.id, oldPassword: PASSWORD, newPassword: `${PASSWORD} 2` },
          { token },
        ),
      () => users.client.requestEmailVerification({ id: me.user.id }, { token }),
      () => users.client.deleteUser({ id: me.user.id, etag: '', hard: false }, { token }),
    ];
    for (const write of writes) {
      expect(await grpcError(write())).toMatchObject({
        code: status.PERMISSION_DENIED,
        reason: 'ACCOUNT_INACTIVE',
      });
    }
    const after = await users.client.getUser({ id: me.user.id }, { token: users.adminToken });
    expect(after).toEqual(read);
    // The old password still holds: sign-in is refused as inactive, not as a wrong password.
    const signIn = await grpcError(
      users.client.authenticate({ login: me.user.email, password: PASSWORD }),
    );
    expect(signIn.reason).toBe('ACCOUNT_INACTIVE');
  });

  it('as an admin, can change no one else either', async () => {
    const admin = await users.signUp({ role: commonV1.Role.ROLE_ADMIN });
    const other = await users.signUp();
    await deactivate(admin.user.id);
    const token = freshToken(admin.user.id, 'admin');
    const refused = [
      () =>
        users.client.updateUser(
          usersV1.UpdateUserRequest.fromPartial({
            user: { id: other.user.id, fullName: 'Renamed by a ghost' },
            updateMask: ['full_name'],
          }),
          { token },
        ),
      () => users.client.deleteUser({ id: other.user.id, etag: '', hard: true }, { token }),
      () => users.client.unlockUser({ id: other.user.id }, { token }),
    ];
    for (const write of refused) {
      expect(await grpcError(write())).toMatchObject({ reason: 'ACCOUNT_INACTIVE' });
    }
    const read = await users.client.getUser({ id: other.user.id }, { token: users.adminToken });
    expect(read.etag).toBe(other.user.etag);
  });

  it('cannot verify their email with a token issued before the deactivation', async () => {
    const me = await users.signUp();
    // Admins get the token back (the mail sender acts as one).
    const { token } = await users.client.requestEmailVerification(
      { id: me.user.id },
      { token: users.adminToken },
    );
    await deactivate(me.user.id);
    const refused = await grpcError(users.client.verifyEmail({ token }));
    expect(refused).toMatchObject({ code: status.PERMISSION_DENIED, reason: 'ACCOUNT_INACTIVE' });
    const read = await users.client.getUser({ id: me.user.id }, { token: users.adminToken });
    expect(read.emailVerified).toBe(false);
  });
});
