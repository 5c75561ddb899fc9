import { usersV1 } from '@nexus/proto';
import { startUsersProcess, type UsersProcess } from '@nexus/testing';
import { eventually, startAnalytics, type AnalyticsHarness } from './testing/analytics-harness';

let users: UsersProcess;
let analytics: AnalyticsHarness;

beforeAll(async () => {
  [users, analytics] = await Promise.all([startUsersProcess(), startAnalytics()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([users?.stop(), analytics?.stop()]);
});

type Rows = { rows: Record<string, string | number>[] };

describe('events from the real users service', () => {
  it('counts its sign-ups per type per day and the users who change something as active', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const [alice, bob] = [await users.signUp(), await users.signUp()];
    // Signing in (done by signUp) publishes only its session's event, without an actor;
    // renaming themselves is an act of their own.
    for (const { user, token } of [alice, bob]) {
      await users.client.updateUser(
        usersV1.UpdateUserRequest.fromPartial({
          user: { id: user.id, fullName: `${user.fullName} (renamed)` },
          updateMask: ['full_name'],
        }),
        { token },
      );
    }
    for (const { user } of [alice, bob]) {
      await eventually(
        async () =>
          (
            await analytics.get<Rows>(
              `/api/v1/active-users?from=${today}&to=${today}&user_id=${user.id}`,
            )
          ).body.rows,
        (rows) => JSON.stringify(rows) === JSON.stringify([{ day: today, activeUsers: 1 }]),
      );
    }
    const created = await analytics.get<Rows>(
      `/api/v1/events?from=${today}&to=${today}&type=nexus.users.user.created&group_by=type`,
    );
    // Other test runs may share the broker, so at least ours (admin bootstrap + 2 sign-ups).
    expect(Number(created.body.rows[0]?.events)).toBeGreaterThanOrEqual(3);
  }, 150_000);
});
