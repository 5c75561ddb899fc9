import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { KitError } from '@nexus/core';
import { TokenRevocations } from './token-revocations';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, TokenVerifier, bearerToken, keyId } from './token-verifier';

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

describe('TokenVerifier with several keys (rotation)', () => {
  const oldKeys = pem();
  const newKeys = pem();
  const userId = '01900000-0000-7000-8000-000000000002';
  const signWith = (keys: { privateKey: string; publicKey: string }, kid?: string) =>
    createSigner<Record<string, unknown>>({
      key: keys.privateKey,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      expiresIn: 60_000,
      ...(kid ? { kid } : {}),
    })({ sub: userId, role: 'user' });

  it('verifies tokens of every configured key, picked by kid or tried in turn without one', () => {
    const verifier = new TokenVerifier(`${oldKeys.publicKey}\n${newKeys.publicKey}`);
    expect(verifier.principalOf(signWith(oldKeys, keyId(oldKeys.publicKey))).userId).toBe(userId);
    expect(verifier.principalOf(signWith(newKeys, keyId(newKeys.publicKey))).userId).toBe(userId);
    expect(verifier.principalOf(signWith(newKeys)).userId).toBe(userId);
  });

  it('refuses a token whose kid names a key that is not configured, or another key', () => {
    const verifier = new TokenVerifier(newKeys.publicKey);
    expect(() => verifier.principalOf(signWith(oldKeys, keyId(oldKeys.publicKey)))).toThrow(
      'the token is not valid',
    );
    expect(() => verifier.principalOf(signWith(oldKeys, keyId(newKeys.publicKey)))).toThrow(
      'the token is not valid',
    );
  });
});

function codeOf(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    return (error as KitError).code;
  }
}

describe('TokenVerifier with revocations', () => {
  const keys = pem();
  const userId = '01900000-0000-7000-8000-000000000003';
  const sessionId = '01900000-0000-7000-8000-0000000000d1';
  const sign = (claims: Record<string, unknown>) =>
    createSigner<Record<string, unknown>>({
      key: keys.privateKey,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      expiresIn: 60_000,
    })({ sub: userId, role: 'user', ...claims });

  it('refuses a revoked token with TOKEN_REVOKED, also once verified and cached', () => {
    const revocations = new TokenRevocations(3_600_000);
    const verifier = new TokenVerifier(keys.publicKey, revocations);
    // Whole seconds: fast-jwt's signer rounds iat down (users signs to the ms).
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = sign({ iat: issuedAt, sid: sessionId });
    expect(verifier.principalOf(token)).toMatchObject({ userId, sessionId });
    revocations.revokeUser(userId, issuedAt * 1000 + 1);
    expect(codeOf(() => verifier.principalOf(token))).toBe('TOKEN_REVOKED');
    const later = sign({ iat: issuedAt + 1, sid: sessionId });
    expect(verifier.principalOf(later).userId).toBe(userId);
    revocations.endSession(sessionId, Date.now());
    expect(codeOf(() => verifier.principalOf(later))).toBe('TOKEN_REVOKED');
  });

  it('refuses a session id that is not a UUID', () => {
    const verifier = new TokenVerifier(keys.publicKey);
    expect(() => verifier.principalOf(sign({ sid: 42 }))).toThrow(KitError);
  });
});

describe('bearerToken', () => {
  it('reads "Bearer <token>" and refuses other schemes', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken(undefined)).toBeNull();
    expect(() => bearerToken('Basic dXNlcg==')).toThrow(KitError);
  });
});
