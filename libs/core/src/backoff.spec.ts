import { closedForSeconds, retryAfterSeconds, type BackoffPolicy } from './backoff';

const limits = { soft: 3, hard: 6 };
const policy: BackoffPolicy = {
  delayBaseSeconds: 2,
  delayMaxSeconds: 10,
  lockoutSeconds: 600,
  resetSeconds: 3_600,
};

describe('backoff after failed attempts', () => {
  it('waits nothing below the soft limit, doubles from it up to the maximum, locks at the hard limit', () => {
    const waits = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => closedForSeconds(n, limits, policy));
    expect(waits).toEqual([0, 0, 0, 2, 4, 8, 600, 600]);
    expect(closedForSeconds(9, { soft: 10, hard: 20 }, policy)).toBe(0);
    expect(closedForSeconds(13, { soft: 10, hard: 20 }, policy)).toBe(10); // 2 * 2^3 = 16, capped at 10
  });

  it('counts the wait from the last failure and forgets a count older than the reset time', () => {
    expect(retryAfterSeconds({ failures: 4, secondsSinceLastFailure: 1.5 }, limits, policy)).toBe(
      3,
    );
    expect(retryAfterSeconds({ failures: 4, secondsSinceLastFailure: 4 }, limits, policy)).toBe(0);
    expect(retryAfterSeconds({ failures: 6, secondsSinceLastFailure: 100 }, limits, policy)).toBe(
      500,
    );
    expect(
      retryAfterSeconds({ failures: 99, secondsSinceLastFailure: 3_600 }, limits, policy),
    ).toBe(0);
    // A concurrent attempt stamped its failure a moment after this one read the clock.
    const early = (failures: number) =>
      retryAfterSeconds({ failures, secondsSinceLastFailure: -0.05 }, limits, policy);
    expect(early(2)).toBe(0);
    expect(early(3)).toBe(2);
  });
});
