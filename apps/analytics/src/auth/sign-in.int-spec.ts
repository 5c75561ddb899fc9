import { commonV1 } from '@nexus/proto';
import type { TestUser } from '@nexus/testing';
import { TEST_PASSWORD, startUsersProcess, type UsersProcess } from '@nexus/testing';
import {
  startAnalytics,
  testAnalyticsConfig,
  type AnalyticsHarness,
} from '../testing/analytics-harness';

let users: UsersProcess;
let analytics: AnalyticsHarness;

beforeAll(async () => {
  users = await startUsersProcess();
  analytics = await startAnalytics(testAnalyticsConfig({ usersAddress: users.address }));
}, 90_000);

afterAll(async () => {
  await Promise.all([users?.stop(), analytics?.stop()]);
});

type Session = { accessToken: string; expiresAt: string; role: string };
type ApiError = { error: { code: string; message: string; violations?: { field: string }[] } };

describe('POST /auth/sign-in', () => {
  it('exchanges a manager login and password for a token that reads the API', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_MANAGER);
    const signIn = await fetch(`${analytics.baseUrl}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: user.email, password: TEST_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('cache-control')).toBe('no-store');
    // The refresh token: in an HttpOnly, SameSite=Strict cookie for /auth only, not in the body.
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^nexus_refresh=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; Path=\/auth/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Max-Age=\d+/);
    const session = (await signIn.json()) as Session;
    expect(Object.keys(session).sort()).toEqual(['accessToken', 'expiresAt', 'role']);
    expect(session.role).toBe('manager');
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());

    const status = await analytics.get('/api/v1/status', { token: session.accessToken });
    expect(status.status).toBe(200);
    expect(status.body.consumerGroup).toBe(analytics.config.consumerGroup);
  });

  it('signs in a user by username, whose token the API then refuses with 403', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_USER);
    const { status, body } = await analytics.post<Session>('/auth/sign-in', {
      login: user.username,
      password: TEST_PASSWORD,
    });
    expect(status).toBe(200);
    expect(body.role).toBe('user');
    const denied = await analytics.get<ApiError>('/api/v1/events', { token: body.accessToken });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('PERMISSION_DENIED');
  });

  it('answers a wrong password with 401 and no token', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_ADMIN);
    const { status, body } = await analytics.post<ApiError>('/auth/sign-in', {
      login: user.email,
      password: 'not the password at all',
    });
    expect(status).toBe(401);
    expect(body).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'invalid login or password' },
    });
  });

  it('answers an unknown login with the same 401', async () => {
    const { status, body } = await analytics.post<ApiError>('/auth/sign-in', {
      login: 'nobody-at-all@example.com',
      password: TEST_PASSWORD,
    });
    expect(status).toBe(401);
    expect(body.error.message).toBe('invalid login or password');
  });

  it('answers a deactivated account with 403', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_MANAGER);
    await users.deactivate(user.id);
    const { status, body } = await analytics.post<ApiError>('/auth/sign-in', {
      login: user.email,
      password: TEST_PASSWORD,
    });
    expect(status).toBe(403);
    expect(body.error.code).toBe('PERMISSION_DENIED');
  });

  it('answers a body without a password, or not JSON, with 400 and does not echo it', async () => {
    const missing = await analytics.post<ApiError>('/auth/sign-in', { login: 'someone' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.violations?.map((v) => v.field)).toEqual(['password']);

    const secret = 'password=hunter2-secret';
    const notJson = await fetch(`${analytics.baseUrl}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: secret,
    });
    expect(notJson.status).toBe(400);
    const text = await notJson.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: 'the body is not valid JSON' },
    });
    expect(text).not.toContain('hunter2');
  });
});

/** Signs `user` in through the dashboard's endpoint; answers the session and its cookie. */
async function dashboardSignIn(user: TestUser['user']) {
  const response = await fetch(`${analytics.baseUrl}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: user.email, password: TEST_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return { session: (await response.json()) as Session, cookie: cookieOf(response) };
}

/** `nexus_refresh=<token>` as a browser would send it back. */
function cookieOf(response: Response): string {
  return (response.headers.get('set-cookie') ?? '').split(';')[0];
}

function postAuth(path: string, cookie?: string, headers: Record<string, string> = {}) {
  return fetch(`${analytics.baseUrl}/auth/${path}`, {
    method: 'POST',
    headers: { ...(cookie ? { cookie } : {}), ...headers },
  });
}

describe('POST /auth/refresh and /auth/sign-out', () => {
  it('exchanges the cookie for a new access token and the next refresh token', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_MANAGER);
    const signedIn = await dashboardSignIn(user);
    const refreshed = await postAuth('refresh', signedIn.cookie);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    const session = (await refreshed.json()) as Session;
    expect(Object.keys(session).sort()).toEqual(['accessToken', 'expiresAt', 'role']);
    expect(session.accessToken).not.toBe(signedIn.session.accessToken);
    expect(session.role).toBe('manager');
    const next = cookieOf(refreshed);
    expect(next).toMatch(/^nexus_refresh=/);
    expect(next).not.toBe(signedIn.cookie);
    const status = await analytics.get('/api/v1/status', { token: session.accessToken });
    expect(status.status).toBe(200);

    // The exchanged cookie again: the session is ended (its token may have been stolen).
    const reused = await postAuth('refresh', signedIn.cookie);
    expect(reused.status).toBe(401);
    expect(reused.headers.get('set-cookie')).toMatch(/^nexus_refresh=;/);
    expect(((await reused.json()) as ApiError).error.code).toBe('UNAUTHENTICATED');
    expect((await postAuth('refresh', next)).status).toBe(401);
  });

  it('answers 401 without a cookie, and 403 to a request another site sends', async () => {
    const none = await postAuth('refresh');
    expect(none.status).toBe(401);
    const { user } = await users.signUp(commonV1.Role.ROLE_ADMIN);
    const { cookie } = await dashboardSignIn(user);
    const crossSite = await postAuth('refresh', cookie, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const signOut = await postAuth('sign-out', cookie, { 'sec-fetch-site': 'same-site' });
    expect(signOut.status).toBe(403);
    // Neither touched the session.
    expect((await postAuth('refresh', cookie, { 'sec-fetch-site': 'same-origin' })).status).toBe(
      200,
    );
  });

  it('signs out: ends the session at users and clears the cookie', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_MANAGER);
    const { cookie } = await dashboardSignIn(user);
    const signedOut = await postAuth('sign-out', cookie);
    expect(signedOut.status).toBe(204);
    expect(signedOut.headers.get('set-cookie')).toMatch(/^nexus_refresh=;.*Path=\/auth/);
    expect((await postAuth('refresh', cookie)).status).toBe(401);
    const { sessions } = await users.client.listSessions(
      { userId: user.id, pageSize: 0, pageToken: '', showEnded: true },
      { token: users.admin.token },
    );
    const dashboard = sessions.find((s) => s.client.startsWith('analytics dashboard'));
    expect(dashboard?.endReason).toBe('SIGNED_OUT');
    // Without a cookie there is nothing to end, and that is no error.
    expect((await postAuth('sign-out')).status).toBe(204);
  });
});
