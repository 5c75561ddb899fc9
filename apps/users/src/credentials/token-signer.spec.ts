import { generateKeyPairSync } from 'node:crypto';
import { TokenVerifier, keyId } from '@nexus/grpc';
import { TokenSigner } from './token-signer';

const keyPair = () =>
  generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

const partsOf = (token: string) => {
  const [header, payload] = token.split('.').map((part) => Buffer.from(part, 'base64url'));
  return {
    header: JSON.parse(header.toString()) as Record<string, unknown>,
    payload: JSON.parse(payload.toString()) as Record<string, unknown>,
  };
};

describe('TokenSigner', () => {
  const previous = keyPair();
  const current = keyPair();
  const publicKeys = `${previous.publicKey}${current.publicKey}`;
  const userId = '01900000-0000-7000-8000-000000000001';
  const sessionId = '01900000-0000-7000-8000-0000000000e1';

  it('signs with the current key, naming it by kid, and publishes every valid key', () => {
    const signer = new TokenSigner(current.privateKey, publicKeys, 900);
    const { token } = signer.issue(userId, 'manager', sessionId);
    const { header, payload } = partsOf(token);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: keyId(current.publicKey) });
    expect(payload).toMatchObject({ sub: userId, role: 'manager', sid: sessionId });
    expect(signer.jwks.map((jwk) => jwk.kid)).toEqual([
      keyId(previous.publicKey),
      keyId(current.publicKey),
    ]);
    expect(new TokenVerifier(publicKeys).principalOf(token)).toMatchObject({
      userId,
      role: 'manager',
      sessionId,
    });
  });

  it('signs iat to the millisecond and exp from the lifetime', () => {
    const before = Date.now();
    const { token, expiresAt } = new TokenSigner(current.privateKey, publicKeys, 900).issue(
      userId,
      'user',
    );
    const { iat, exp } = partsOf(token).payload as { iat: number; exp: number };
    expect(iat * 1000).toBeGreaterThanOrEqual(before);
    expect(iat * 1000).toBeLessThanOrEqual(Date.now());
    expect(Math.abs(exp * 1000 - expiresAt.getTime())).toBeLessThan(1_000);
    expect(expiresAt.getTime() - iat * 1000).toBeGreaterThan(899_000);
  });

  it('refuses a private key whose public key is not configured', () => {
    expect(() => new TokenSigner(keyPair().privateKey, publicKeys, 900)).toThrow('JWT_PRIVATE_KEY');
  });
});
