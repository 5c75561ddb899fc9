import { createPublicKey } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { TokenVerifier } from '@nexus/grpc';
import { grpcError } from '@nexus/testing';
import { PASSWORD, startUsers, type UsersHarness } from '../testing/users-harness';

let users: UsersHarness;

beforeAll(async () => {
  users = await startUsers();
});

afterAll(async () => {
  await users.stop();
});

describe('Authenticate', () => {
  it('signs in by email or username and the token opens the API', async () => {
    const { user } = await users.signUp();
    for (const login of [user.email.toUpperCase(), user.username]) {
      const session = await users.client.authenticate({ login, password: PASSWORD });
      expect(session.tokenType).toBe('Bearer');
      expect(session.expireTime!.getTime()).toBeGreaterThan(Date.now());
      expect(session.user?.lastLoginTime).toBeDefined();
      const me = await users.client.getUser({ id: user.id }, { token: session.accessToken });
      expect(me.id).toBe(user.id);
    }
  });

  it('refuses a wrong password and counts it, and an unknown login alike', async () => {
    const { user } = await users.signUp();
    const wrong = await grpcError(
      users.client.authenticate({ login: user.email, password: 'wrong password!!' }),
    );
    expect(wrong).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'INVALID_CREDENTIALS' });
    const unknown = await grpcError(
      users.client.authenticate({ login: 'nobody@example.com', password: PASSWORD }),
    );
    expect(unknown).toMatchObject({ code: status.UNAUTHENTICATED, details: wrong.details });
    const after = await users.client.getUser({ id: user.id }, { token: users.adminToken });
    expect(after.failedLoginCount).toBe(1);
    await users.client.authenticate({ login: user.email, password: PASSWORD });
    expect(
      (await users.client.getUser({ id: user.id }, { token: users.adminToken })).failedLoginCount,
    ).toBe(0);
  });

  it('rejects empty credentials with field details', async () => {
    const error = await grpcError(users.client.authenticate({ login: '', password: '' }));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual(['login', 'password']);
  });
});

describe('ChangePassword', () => {
  it('needs the old password, then only the new one signs in', async () => {
    const me = await users.signUp();
    const wrongOld = await grpcError(
      users.client.changePassword(
        { id: me.user.id, oldPassword: 'not my password', newPassword: 'a brand new passphrase' },
        { token: me.token },
      ),
    );
    expect(wrongOld).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['old_password'] });
    await users.client.changePassword(
      { id: me.user.id, oldPassword: PASSWORD, newPassword: 'a brand new passphrase' },
      { token: me.token },
    );
    expect(
      (await grpcError(users.client.authenticate({ login: me.user.email, password: PASSWORD })))
        .code,
    ).toBe(status.UNAUTHENTICATED);
    await users.client.authenticate({ login: me.user.email, password: 'a brand new passphrase' });
  });

  it("refuses to change someone else's password", async () => {
    const me = await users.signUp();
    const other = await users.signUp();
    const error = await grpcError(
      users.client.changePassword(
        { id: other.user.id, oldPassword: PASSWORD, newPassword: 'a brand new passphrase' },
        { token: me.token },
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });
});

describe('email verification', () => {
  it('verifies with a single-use token', async () => {
    const { user } = await users.signUp();
    const issued = await users.client.requestEmailVerification(
      { id: user.id },
      { token: users.adminToken },
    );
    expect(issued.token).not.toBe('');
    const verified = await users.client.verifyEmail({ token: issued.token });
    expect(verified.emailVerified).toBe(true);
    const reused = await grpcError(users.client.verifyEmail({ token: issued.token }));
    expect(reused).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['token'] });
  });

  it('gives users no token in the response, and refuses an already verified email', async () => {
    const me = await users.signUp();
    const issued = await users.client.requestEmailVerification(
      { id: me.user.id },
      { token: me.token },
    );
    expect(issued.token).toBe('');
    expect(issued.expireTime!.getTime()).toBeGreaterThan(Date.now());
    const adminIssued = await users.client.requestEmailVerification(
      { id: me.user.id },
      { token: users.adminToken },
    );
    await users.client.verifyEmail({ token: adminIssued.token });
    const again = await grpcError(
      users.client.requestEmailVerification({ id: me.user.id }, { token: me.token }),
    );
    expect(again.code).toBe(status.FAILED_PRECONDITION);
  });
});

describe('GetJwks', () => {
  it('publishes the public key that verifies issued tokens', async () => {
    const { keys } = await users.client.getJwks({});
    expect(keys).toHaveLength(1);
    const key = keys[0];
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    const pem = createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const me = await users.signUp();
    expect(new TokenVerifier(pem).principalOf(me.token)).toMatchObject({
      userId: me.user.id,
      role: 'user',
    });
  });
});
