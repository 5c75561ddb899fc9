import { commonV1 } from '@nexus/proto';
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
    expect(signIn.headers.get('set-cookie')).toBeNull();
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
