import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { KitError } from '@nexus/core';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenVerifier, bearerToken } from './token-verifier';

const pem = () =>
  generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

describe('TokenVerifier', () => {
  const keys = pem();
  const verifier = new TokenVerifier(keys.publicKey);
  const sign = (payload: Record<string, unknown>, options: Record<string, unknown> = {}) =>
    createSigner<Record<string, unknown>>({
      key: keys.privateKey,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      expiresIn: 60_000,
      ...options,
    })(payload);
  const userId = '01900000-0000-7000-8000-000000000001';

  it('returns the principal of a valid token', () => {
    const token = sign({ sub: userId, role: 'manager' });
    expect(verifier.principalOf(token)).toEqual({ userId, role: 'manager', token });
  });

  it('stops accepting a token it has verified before once the token expires', () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const token = sign({ sub: userId, role: 'user' }, { expiresIn: 10_000 });
      expect(verifier.principalOf(token).userId).toBe(userId);
      jest.setSystemTime(Date.now() + 9_000);
      expect(verifier.principalOf(token).userId).toBe(userId); // from the cache
      jest.setSystemTime(Date.now() + 6_001); // past expiry and the 5 s clock tolerance
      expect(() => verifier.principalOf(token)).toThrow('the token has expired');
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not take a tampered copy of a verified token for the cached one', () => {
    const token = sign({ sub: userId, role: 'user' });
    expect(verifier.principalOf(token).role).toBe('user');
    const signature = token.slice(token.lastIndexOf('.') + 1);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const tampered = `${token.slice(0, token.lastIndexOf('.') + 1)}${flipped}`;
    expect(() => verifier.principalOf(tampered)).toThrow('the token is not valid');
  });

  it.each([
    ['an unknown role', () => sign({ sub: userId, role: 'root' })],
    ['a subject that is not a UUID', () => sign({ sub: 'bob', role: 'user' })],
    ['another audience', () => sign({ sub: userId, role: 'user' }, { aud: 'elsewhere' })],
    [
      'an expired token',
      () => sign({ sub: userId, role: 'user' }, { clockTimestamp: Date.now() - 3_600_000 }),
    ],
    [
      'another key',
      () =>
        createSigner<object>({
          key: pem().privateKey,
          algorithm: 'EdDSA',
          iss: TOKEN_ISSUER,
          aud: TOKEN_AUDIENCE,
        })({ sub: userId, role: 'admin' }),
    ],
  ])('refuses %s', (_case, token) => {
    expect(() => verifier.principalOf(token())).toThrow(KitError);
  });
});

describe('bearerToken', () => {
  it('reads "Bearer <token>" and refuses other schemes', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken(undefined)).toBeNull();
    expect(() => bearerToken('Basic dXNlcg==')).toThrow(KitError);
  });
});
