import { status, type ServiceError } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { readStatusDetails } from '@nexus/grpc';
import { grpcError } from '@nexus/testing';
import { PasswordHasher } from './password-hasher';
import { loginKey } from './sign-in-throttle';
import { PASSWORD, startUsers, type UsersHarness } from '../testing/users-harness';

/**
 * Soft limit 2, hard limit 4: waits of 10 s then 20 s, then a 60 s lockout.
 * Waits are skipped by ageing the count in the database, not by sleeping:
 * on a busy machine a short real wait races the argon2 work of the calls.
 */
const LIMITS = {
  SIGN_IN_LOGIN_SOFT_LIMIT: '2',
  SIGN_IN_LOGIN_HARD_LIMIT: '4',
  SIGN_IN_DELAY_BASE_SECONDS: '10',
  SIGN_IN_DELAY_MAX_SECONDS: '20',
  SIGN_IN_LOCKOUT_SECONDS: '60',
};
const WRONG = 'not the password at all';

let users: UsersHarness;

beforeAll(async () => {
  users = await startUsers(LIMITS);
});

afterAll(async () => {
  await users.stop();
});

/** What a caller learns from one attempt: the code, the reason and the retry delay. */
async function attempt(login: string, password = WRONG) {
  try {
    await users.client.authenticate({ login, password });
    return { code: status.OK };
  } catch (error) {
    const { errorInfo, retryInfo } = readStatusDetails(error as ServiceError);
    const retryAfter = errorInfo?.metadata.retry_after_seconds;
    // The same wait as google.rpc.RetryInfo, for gRPC client libraries.
    expect(retryInfo?.retryDelay?.seconds).toBe(retryAfter);
    return {
      code: (error as ServiceError).code,
      reason: errorInfo?.reason,
      // Counted from the last failure: a second or two may have passed since.
      retryAfter: retryAfter && String(Math.round(Number(retryAfter) / 10) * 10),
    };
  }
}

/** As if `seconds` had passed since the login's last counted failure. */
const age = (login: string, seconds: number) =>
  users.service.runtime.dataSource.query(
    `UPDATE "users"."sign_in_throttles"
        SET last_failure_at = last_failure_at - make_interval(secs => $2) WHERE key = $1`,
    [loginKey(login), seconds],
  );
const throttledFor = (retryAfter: string) => ({
  code: status.RESOURCE_EXHAUSTED,
  reason: 'SIGN_IN_THROTTLED',
  retryAfter,
});
const wrongPassword = { code: status.UNAUTHENTICATED, reason: 'INVALID_CREDENTIALS' };

describe('sign-in throttle', () => {
  it('slows down and locks a login that exists exactly as one that does not', async () => {
    const { user } = await users.signUp();
    const unknown = `nobody-${uuidv7().slice(-12)}@example.com`;
    const runOf = async (login: string) => [
      await attempt(login),
      await attempt(login),
      await attempt(login), // closed for 10 s after the 2nd failure
      await age(login, 10).then(() => attempt(login)),
      await attempt(login), // closed for 20 s after the 3rd
      await age(login, 20).then(() => attempt(login)),
      await attempt(login, PASSWORD), // locked: the right password too
    ];
    const [known, stranger] = await Promise.all([runOf(user.email), runOf(unknown)]);
    expect(known).toEqual([
      { ...wrongPassword, retryAfter: undefined },
      { ...wrongPassword, retryAfter: undefined },
      throttledFor('10'),
      { ...wrongPassword, retryAfter: undefined },
      throttledFor('20'),
      { ...wrongPassword, retryAfter: undefined },
      throttledFor('60'),
    ]);
    expect(stranger).toEqual(known);
    // Wrong passwords, as before: the refused attempts were never checked.
    const read = await users.client.getUser({ id: user.id }, { token: users.adminToken });
    expect(read.failedLoginCount).toBe(4);
  });

  it('keys a login by its normalised spelling, and a right password clears its count', async () => {
    const { user } = await users.signUp();
    expect(await attempt(user.username.toUpperCase())).toMatchObject(wrongPassword);
    expect(await attempt(` ${user.username} `, PASSWORD)).toEqual({ code: status.OK });
    // The count started again: two failures before the throttle closes.
    expect(await attempt(user.username)).toMatchObject(wrongPassword);
    expect(await attempt(user.username)).toMatchObject(wrongPassword);
    expect(await attempt(user.username)).toMatchObject(throttledFor('10'));
    const read = await users.client.getUser({ id: user.id }, { token: users.adminToken });
    expect(read.failedLoginCount).toBe(2);
  });

  it('counts concurrent attempts before checking them: a burst gets no further than the soft limit', async () => {
    // A login never tried before, and one with a count already.
    const fresh = `burst-${uuidv7().slice(-12)}`;
    const burst = await Promise.all(Array.from({ length: 8 }, () => attempt(fresh)));
    expect(burst.filter((o) => o.code === status.UNAUTHENTICATED)).toHaveLength(2);
    expect(burst.filter((o) => o.code === status.RESOURCE_EXHAUSTED)).toHaveLength(6);

    const counted = `burst-${uuidv7().slice(-12)}`;
    expect(await attempt(counted)).toMatchObject(wrongPassword);
    const again = await Promise.all(Array.from({ length: 8 }, () => attempt(counted)));
    expect(again.filter((o) => o.code === status.UNAUTHENTICATED)).toHaveLength(1);
    expect(again.filter((o) => o.code === status.RESOURCE_EXHAUSTED)).toHaveLength(7);
  });

  it('lets an admin unlock a user, whose right password then works; others may not unlock', async () => {
    const { user, token } = await users.signUp();
    for (const login of [user.email, user.username]) {
      await attempt(login);
      await attempt(login);
    }
    expect(await attempt(user.email, PASSWORD)).toMatchObject({ reason: 'SIGN_IN_THROTTLED' });

    const denied = await grpcError(users.client.unlockUser({ id: user.id }, { token }));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const invalid = await grpcError(
      users.client.unlockUser({ id: 'not-a-uuid' }, { token: users.adminToken }),
    );
    expect(invalid).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['id'] });
    const unauthenticated = await grpcError(users.client.unlockUser({ id: user.id }));
    expect(unauthenticated.code).toBe(status.UNAUTHENTICATED);

    const unlocked = await users.client.unlockUser({ id: user.id }, { token: users.adminToken });
    // Bookkeeping, not the resource: the user's version stays.
    expect(unlocked).toMatchObject({ id: user.id, etag: user.etag, failedLoginCount: 4 });
    expect(await attempt(user.email, PASSWORD)).toEqual({ code: status.OK });
    expect(await attempt(user.username, PASSWORD)).toEqual({ code: status.OK });
  });

  it('verifies a password against a decoy hash for an unknown login, costing the same time', async () => {
    const { user } = await users.signUp();
    const verify = jest.spyOn(PasswordHasher.prototype, 'verify');
    const timed = async (login: string) => {
      const started = process.hrtime.bigint();
      await attempt(login);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    try {
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 9; i += 1) {
        // Fresh logins for the unknown path; the known one is unlocked before each try.
        await users.client.unlockUser({ id: user.id }, { token: users.adminToken });
        known.push(await timed(user.email));
        unknown.push(await timed(`nobody-${uuidv7().slice(-12)}`));
      }
      // Structural: every unknown login went through an argon2 verification (of the decoy).
      expect(verify.mock.calls.filter(([hash]) => hash === null)).toHaveLength(9);
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const ratio = median(unknown) / median(known);
      console.log(
        `sign-in timing: median ${median(known).toFixed(1)} ms for a user, ${median(unknown).toFixed(1)} ms for an unknown login`,
      );
      // Loose, for a shared and busy machine: skipping the verification would
      // make the unknown path several times cheaper (one argon2id ~ the whole call).
      expect(ratio).toBeGreaterThan(1 / 3);
      expect(ratio).toBeLessThan(3);
    } finally {
      verify.mockRestore();
    }
  });
});
