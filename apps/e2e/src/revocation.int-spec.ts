import { status } from '@grpc/grpc-js';
import { uuidv7, type Role } from '@nexus/core';
import { usersV1 } from '@nexus/proto';
import { TEST_PASSWORD, startAppProcess, type AppProcess, type TestUser } from '@nexus/testing';
import { GRPC_SERVICES, ROLE_OF, allMethods, startPlatform, type Platform } from './platform';
import { RawClient, codeName } from './raw-call';

/**
 * Revocation as a user of the platform sees it: after the users service
 * commits a change that voids a user's tokens, every service refuses the
 * old token (UNAUTHENTICATED, reason TOKEN_REVOKED) within a second, with
 * no call to the users service per request; a token issued after works.
 */
const WITHIN_MS = 1_000;
/** How long each revocation took to reach every service (printed for the docs). */
const took: string[] = [];

let platform: Platform;
let analytics: AppProcess;
const clients = new Map<string, RawClient>();

/** Per service, a method that needs a token: its empty request is checked after the token. */
const probes = GRPC_SERVICES.map((service) => {
  const method = allMethods().find(
    (m) => m.service === service && m.name.startsWith('Get') && m.name !== 'GetJwks',
  );
  if (!method) throw new Error(`no Get method on ${service}`);
  return method;
});

beforeAll(async () => {
  platform = await startPlatform();
  analytics = await startAppProcess('analytics', {
    USERS_GRPC_ADDRESS: platform.apps.users.grpcAddress,
  });
  for (const [service, app] of Object.entries(platform.apps))
    clients.set(service, new RawClient(app.grpcAddress));
}, 180_000);

afterAll(async () => {
  console.log(`revoked everywhere after (ms): ${took.join(', ')}`);
  for (const client of clients.values()) client.close();
  await analytics?.stop();
  await platform?.stop();
});

/** What each service (and analytics' HTTP API) answers a token: the reason it refused, or 'accepted'. */
async function answers(token: string): Promise<Record<string, string>> {
  const outcomes = await Promise.all(
    probes.map(async (method) => {
      const outcome = await clients.get(method.service)!.call(method.path, Buffer.alloc(0), token);
      const answer =
        outcome.code === status.UNAUTHENTICATED
          ? (outcome.reason ?? 'UNAUTHENTICATED')
          : outcome.code === status.INVALID_ARGUMENT || outcome.code === status.OK
            ? 'accepted'
            : codeName(outcome.code);
      return [method.service, answer] as const;
    }),
  );
  const response = await fetch(`http://127.0.0.1:${analytics.httpPort}/api/v1/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { error?: { code: string } };
  const analyticsAnswer =
    response.status === 200 || response.status === 403
      ? 'accepted'
      : (body.error?.code ?? String(response.status));
  return Object.fromEntries([...outcomes, ['analytics', analyticsAnswer]]);
}

const everywhere = (answer: string) =>
  Object.fromEntries([...GRPC_SERVICES, 'analytics'].map((service) => [service, answer]));

/** Polls until every service refuses `token` as revoked; the time it took since `sinceMs`. */
async function revokedEverywhereAfter(token: string, sinceMs: number): Promise<number> {
  for (;;) {
    const now = await answers(token);
    if (Object.values(now).every((answer) => answer === 'TOKEN_REVOKED')) {
      took.push(String(Date.now() - sinceMs));
      return Date.now() - sinceMs;
    }
    if (Date.now() - sinceMs > 10_000) {
      throw new Error(`still not revoked everywhere: ${JSON.stringify(now)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function signIn(
  login: string,
  password = TEST_PASSWORD,
): Promise<TestUser & { refreshToken: string }> {
  const session = await platform.usersClient.authenticate(
    usersV1.AuthenticateRequest.fromPartial({ login, password }),
  );
  return { user: session.user!, token: session.accessToken, refreshToken: session.refreshToken };
}

async function signedInUser(role: Role): Promise<TestUser & { refreshToken: string }> {
  const tag = uuidv7().slice(-12);
  const user = await platform.usersClient.createUser(
    {
      user: usersV1.User.fromPartial({
        email: `r-${tag}@example.com`,
        username: `r-${tag}`,
        fullName: `Revoked ${tag}`,
        role: ROLE_OF[role],
      }),
      password: TEST_PASSWORD,
      requestId: '',
    },
    { token: platform.admin.token },
  );
  const signedIn = await signIn(user.email);
  expect(await answers(signedIn.token)).toEqual(everywhere('accepted'));
  return signedIn;
}

describe('token revocation on every service', () => {
  it('a password change voids earlier tokens everywhere within a second; the new sign-in works', async () => {
    const alice = await signedInUser('admin');
    const newPassword = `${TEST_PASSWORD}-new`;
    await platform.usersClient.changePassword(
      { id: alice.user.id, oldPassword: TEST_PASSWORD, newPassword },
      { token: alice.token },
    );
    expect(await revokedEverywhereAfter(alice.token, Date.now())).toBeLessThan(WITHIN_MS);
    const again = await signIn(alice.user.email, newPassword);
    expect(await answers(again.token)).toEqual(everywhere('accepted'));
  });

  it('a role change voids earlier tokens; the new token carries the new role', async () => {
    const bob = await signedInUser('manager');
    await platform.usersClient.updateUser(
      {
        user: usersV1.User.fromPartial({ id: bob.user.id, role: ROLE_OF.user }),
        updateMask: ['role'],
      },
      { token: platform.admin.token },
    );
    expect(await revokedEverywhereAfter(bob.token, Date.now())).toBeLessThan(WITHIN_MS);
    const again = await signIn(bob.user.email);
    expect(again.user.role).toBe(ROLE_OF.user);
    expect(await answers(again.token)).toEqual(everywhere('accepted'));
  });

  it.each([
    ['deactivation', false],
    ['hard deletion', true],
  ])('%s voids every token of the user, and they cannot sign in again', async (_case, hard) => {
    const carol = await signedInUser('user');
    await platform.usersClient.deleteUser(
      { id: carol.user.id, etag: '', hard },
      { token: platform.admin.token },
    );
    expect(await revokedEverywhereAfter(carol.token, Date.now())).toBeLessThan(WITHIN_MS);
    await expect(signIn(carol.user.email)).rejects.toMatchObject({
      code: hard ? status.UNAUTHENTICATED : status.PERMISSION_DENIED,
    });
  });

  it('another user’s tokens are untouched', async () => {
    const dave = await signedInUser('user');
    const erin = await signedInUser('user');
    await platform.usersClient.deleteUser(
      { id: dave.user.id, etag: '', hard: false },
      { token: platform.admin.token },
    );
    await revokedEverywhereAfter(dave.token, Date.now());
    expect(await answers(erin.token)).toEqual(everywhere('accepted'));
  });

  it('sign-out everywhere voids the tokens of every session; a new sign-in works', async () => {
    const frank = await signedInUser('user');
    const otherDevice = await signIn(frank.user.email);
    await platform.usersClient.signOutEverywhere({ userId: frank.user.id }, { token: frank.token });
    expect(await revokedEverywhereAfter(frank.token, Date.now())).toBeLessThan(WITHIN_MS);
    expect(await revokedEverywhereAfter(otherDevice.token, Date.now())).toBeLessThan(WITHIN_MS);
    expect(await answers((await signIn(frank.user.email)).token)).toEqual(everywhere('accepted'));
  });

  it('signing out of one session voids its tokens only', async () => {
    const grace = await signedInUser('user');
    const otherDevice = await signIn(grace.user.email);
    await platform.usersClient.signOut({ refreshToken: '' }, { token: grace.token });
    expect(await revokedEverywhereAfter(grace.token, Date.now())).toBeLessThan(WITHIN_MS);
    expect(await answers(otherDevice.token)).toEqual(everywhere('accepted'));
  });

  it('a reused refresh token ends its session: the thief’s and the owner’s access tokens stop working', async () => {
    const heidi = await signedInUser('user');
    const stolen = heidi.refreshToken;
    const owners = await platform.usersClient.refreshSession({ refreshToken: stolen });
    await expect(
      platform.usersClient.refreshSession({ refreshToken: stolen }),
    ).rejects.toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    const sinceMs = Date.now();
    expect(await revokedEverywhereAfter(owners.accessToken, sinceMs)).toBeLessThan(WITHIN_MS);
    expect(await revokedEverywhereAfter(heidi.token, sinceMs)).toBeLessThan(WITHIN_MS);
  });
});
