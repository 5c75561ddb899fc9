import { randomInt } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UsersError } from '../users.errors';
import { startUsers, type UsersHarness } from '../testing/users-harness';
import { sourceKey } from './sign-in-throttle';
import type { ThrottlePolicy } from './sign-in-throttle.config';
import { SignInThrottleStore } from './sign-in-throttle.store';

/**
 * The per-source counts, through the store on the service's own database:
 * every gRPC test calls from 127.0.0.1, so sources are made up here (from
 * TEST-NET-2, a fresh one per test, so tests of other files never share them).
 */
const policy: ThrottlePolicy = {
  login: { soft: 100, hard: 200 },
  source: { soft: 3, hard: 5 },
  delayBaseSeconds: 30,
  delayMaxSeconds: 60,
  lockoutSeconds: 600,
  resetSeconds: 3_600,
  trustedProxies: ['192.0.2.10'],
};

let users: UsersHarness;
let dataSource: DataSource;
let store: SignInThrottleStore;

beforeAll(async () => {
  users = await startUsers();
  dataSource = users.service.runtime.dataSource;
  store = new SignInThrottleStore(dataSource, policy);
});

afterAll(async () => {
  await users.stop();
});

const newSource = () => ({ address: `198.51.100.${randomInt(1, 255)}-${randomInt(1e9)}` });
const login = () => `login-${randomInt(1e12)}`;

async function refusal(attempt: Promise<void>): Promise<Record<string, string> | 'admitted'> {
  try {
    await attempt;
    return 'admitted';
  } catch (error) {
    if (!(error instanceof UsersError)) throw error;
    return { code: error.code, ...error.metadata };
  }
}

const countOf = async (key: string) =>
  (
    await dataSource.query<{ failures: number }[]>(
      `SELECT failures FROM "users"."sign_in_throttles" WHERE key = $1`,
      [key],
    )
  )[0]?.failures;

describe('SignInThrottleStore per source', () => {
  it('closes a source after its soft limit, whatever logins it tries', async () => {
    const source = newSource();
    for (let i = 0; i < 3; i += 1)
      expect(await refusal(store.admitSignIn(login(), source))).toBe('admitted');
    expect(await refusal(store.admitSignIn(login(), source))).toEqual({
      code: 'SIGN_IN_THROTTLED',
      retry_after_seconds: '30',
    });
    // Refused attempts are not counted.
    expect(await countOf(sourceKey('sign-in', source.address))).toBe(3);
  });

  it('takes a successful attempt back from the source, so successes never add up', async () => {
    const source = newSource();
    for (let i = 0; i < 10; i += 1) {
      const who = login();
      await store.admitSignIn(who, source);
      await store.signedIn(who, source);
    }
    expect(await countOf(sourceKey('sign-in', source.address))).toBe(0);
  });

  it('counts reset requests apart from sign-ins', async () => {
    const source = newSource();
    for (let i = 0; i < 3; i += 1) await store.admitResetRequest(source);
    expect(await refusal(store.admitResetRequest(source))).toMatchObject({
      code: 'SIGN_IN_THROTTLED',
    });
    expect(await refusal(store.admitSignIn(login(), source))).toBe('admitted');
  });

  it('forgets a count with no failure for the reset time, and locks at the hard limit until then', async () => {
    const source = newSource();
    const key = sourceKey('sign-in', source.address);
    for (let i = 0; i < 5; i += 1) {
      await store.admitSignIn(login(), source);
      // As if each wait had passed.
      await dataSource.query(
        `UPDATE "users"."sign_in_throttles" SET last_failure_at = now() - interval '61 seconds' WHERE key = $1`,
        [key],
      );
    }
    await dataSource.query(
      `UPDATE "users"."sign_in_throttles" SET last_failure_at = now() WHERE key = $1`,
      [key],
    );
    expect(await refusal(store.admitSignIn(login(), source))).toEqual({
      code: 'SIGN_IN_THROTTLED',
      retry_after_seconds: '600',
    });
    await dataSource.query(
      `UPDATE "users"."sign_in_throttles" SET last_failure_at = now() - interval '3601 seconds' WHERE key = $1`,
      [key],
    );
    expect(await refusal(store.admitSignIn(login(), source))).toBe('admitted');
    expect(await countOf(key)).toBe(1);
  });

  it("counts a trusted proxy's attempts under the clients it forwards, and no one else's header", async () => {
    const proxy = '192.0.2.10';
    const n = randomInt(1, 127);
    const client = `203.0.113.${n}`;
    const viaProxy = { address: proxy, forwardedFor: client };
    for (let i = 0; i < 3; i += 1) await store.admitSignIn(login(), viaProxy);
    expect(await refusal(store.admitSignIn(login(), viaProxy))).toMatchObject({
      code: 'SIGN_IN_THROTTLED',
    });
    // Another client behind the same proxy is not held to that count.
    const other = { address: proxy, forwardedFor: `203.0.113.${n + 127}` };
    expect(await refusal(store.admitSignIn(login(), other))).toBe('admitted');
    // An untrusted peer naming a client counts as itself.
    const stranger = newSource();
    await store.admitSignIn(login(), { ...stranger, forwardedFor: client });
    expect(await countOf(sourceKey('sign-in', stranger.address))).toBe(1);
  });
});
