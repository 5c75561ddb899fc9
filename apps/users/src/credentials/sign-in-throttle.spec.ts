import type { ThrottlePolicy } from './sign-in-throttle.config';
import {
  clientAddress,
  closedForSeconds,
  loginKey,
  retryAfterSeconds,
  sourceKey,
} from './sign-in-throttle';

const policy: ThrottlePolicy = {
  login: { soft: 3, hard: 6 },
  source: { soft: 10, hard: 20 },
  delayBaseSeconds: 2,
  delayMaxSeconds: 10,
  lockoutSeconds: 600,
  resetSeconds: 3_600,
  trustedProxies: ['10.0.0.2'],
};

describe('sign-in throttle rules', () => {
  it('waits nothing below the soft limit, doubles from it up to the maximum, locks at the hard limit', () => {
    const waits = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => closedForSeconds(n, policy.login, policy));
    expect(waits).toEqual([0, 0, 0, 2, 4, 8, 600, 600]);
    expect(closedForSeconds(9, policy.source, policy)).toBe(0);
    expect(closedForSeconds(13, policy.source, policy)).toBe(10); // 2 * 2^3 = 16, capped at 10
  });

  it('counts the wait from the last failure and forgets a count older than the reset time', () => {
    expect(
      retryAfterSeconds({ failures: 4, secondsSinceLastFailure: 1.5 }, policy.login, policy),
    ).toBe(3);
    expect(
      retryAfterSeconds({ failures: 4, secondsSinceLastFailure: 4 }, policy.login, policy),
    ).toBe(0);
    expect(
      retryAfterSeconds({ failures: 6, secondsSinceLastFailure: 100 }, policy.login, policy),
    ).toBe(500);
    expect(
      retryAfterSeconds({ failures: 99, secondsSinceLastFailure: 3_600 }, policy.login, policy),
    ).toBe(0);
    // A concurrent attempt stamped its failure a moment after this one read the clock.
    const early = (failures: number) =>
      retryAfterSeconds({ failures, secondsSinceLastFailure: -0.05 }, policy.login, policy);
    expect(early(2)).toBe(0);
    expect(early(3)).toBe(2);
  });

  it('keys a login by its normalised spelling, whether or not it exists', () => {
    expect(loginKey(' Ada@Example.COM ')).toBe(loginKey('ada@example.com'));
    expect(loginKey('ＡＤＡ')).toBe(loginKey('ada')); // fullwidth letters, NFKC
    expect(loginKey('ada')).not.toBe(loginKey('ada2'));
  });

  it('keys an IPv4 source by its address and an IPv6 source by its /64', () => {
    expect(sourceKey('sign-in', '10.0.0.7')).toBe('sign-in-source:10.0.0.7');
    expect(sourceKey('sign-in', '2001:db8:0:1:aa::7')).toBe(
      sourceKey('sign-in', '2001:db8::1:ff:1:2:3'),
    );
    expect(sourceKey('sign-in', '2001:db8:0:1::7')).toBe('sign-in-source:2001:db8:0:1::/64');
    expect(sourceKey('sign-in', '::1')).toBe('sign-in-source:0:0:0:0::/64');
    expect(sourceKey('reset', '10.0.0.7')).not.toBe(sourceKey('sign-in', '10.0.0.7'));
  });

  it('takes the forwarded client from a trusted proxy only, the rightmost hop it did not write itself', () => {
    const trusted = policy.trustedProxies;
    expect(clientAddress({ address: '10.0.0.9', forwardedFor: '203.0.113.5' }, trusted)).toBe(
      '10.0.0.9',
    );
    expect(clientAddress({ address: '10.0.0.2', forwardedFor: '203.0.113.5' }, trusted)).toBe(
      '203.0.113.5',
    );
    // Whatever the client wrote to the left is not believed.
    expect(
      clientAddress({ address: '10.0.0.2', forwardedFor: '1.2.3.4, 203.0.113.5' }, trusted),
    ).toBe('203.0.113.5');
    expect(clientAddress({ address: '10.0.0.2', forwardedFor: 'not-an-ip' }, trusted)).toBe(
      '10.0.0.2',
    );
    expect(clientAddress({ address: '10.0.0.2' }, trusted)).toBe('10.0.0.2');
  });
});
