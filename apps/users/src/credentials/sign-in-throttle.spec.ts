import type { ThrottlePolicy } from './sign-in-throttle.config';
import { clientAddress, loginKey, sourceKey } from './sign-in-throttle';

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
