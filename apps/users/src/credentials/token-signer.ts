import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { Role } from '@nexus/core';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, keyId, splitPublicKeys } from '@nexus/grpc';
import type { commonV1 } from '@nexus/proto';

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs short-lived access tokens (EdDSA JWTs) with the platform's current
 * Ed25519 key. Only the users service holds private keys; GetJwks publishes
 * every public key whose tokens are still valid (JWT_PUBLIC_KEY may hold
 * several: the current one and those being rotated out), each with its
 * `kid`, which every token names in its header.
 *
 * Signed here with node:crypto rather than fast-jwt's signer: that one
 * rounds `iat` down to the second, and revocation compares `iat` with the
 * time of the change that revoked earlier tokens, so a token issued in the
 * same second just after a password change must not look older than it.
 * JWT NumericDate allows the fraction (RFC 7519 §2).
 */
export class TokenSigner {
  readonly jwks: commonV1.JsonWebKey[];
  private readonly privateKey: KeyObject;
  private readonly encodedHeader: string;

  constructor(
    privateKeyPem: string,
    publicKeysPem: string,
    private readonly ttlSeconds: number,
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    const signing = createPublicKey(this.privateKey).export({ format: 'jwk' });
    this.jwks = splitPublicKeys(publicKeysPem).map((pem) => {
      const { x } = createPublicKey(pem).export({ format: 'jwk' });
      return { kty: 'OKP', crv: 'Ed25519', x: x ?? '', kid: keyId(pem), alg: 'EdDSA', use: 'sig' };
    });
    const current = this.jwks.find((jwk) => jwk.x === signing.x);
    if (signing.crv !== 'Ed25519' || !current) {
      throw new Error(
        'JWT_PRIVATE_KEY: must be an Ed25519 key whose public key is in JWT_PUBLIC_KEY',
      );
    }
    this.encodedHeader = base64url({ alg: 'EdDSA', typ: 'JWT', kid: current.kid });
  }

  issue(userId: string, role: Role, sessionId?: string): AccessToken {
    const nowMs = Date.now();
    const expiresAtMs = nowMs + this.ttlSeconds * 1000;
    const payload = base64url({
      sub: userId,
      role,
      ...(sessionId ? { sid: sessionId } : {}),
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      iat: nowMs / 1000,
      exp: Math.floor(expiresAtMs / 1000),
    });
    const signingInput = `${this.encodedHeader}.${payload}`;
    const signature = sign(null, Buffer.from(signingInput), this.privateKey).toString('base64url');
    return { token: `${signingInput}.${signature}`, expiresAt: new Date(expiresAtMs) };
  }
}

function base64url(json: object): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}
