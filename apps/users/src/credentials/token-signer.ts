import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { Role } from '@nexus/core';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@nexus/grpc';
import type { commonV1 } from '@nexus/proto';

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs short-lived access tokens with the platform's Ed25519 key (EdDSA).
 * Only the users service holds the private key; the matching public key,
 * published by GetJwks and configured as JWT_PUBLIC_KEY, verifies them.
 */
export class TokenSigner {
  readonly jwk: commonV1.JsonWebKey;
  private readonly sign: (claims: Record<string, unknown>) => string;

  constructor(
    privateKeyPem: string,
    publicKeyPem: string,
    private readonly ttlSeconds: number,
  ) {
    const derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ format: 'jwk' });
    const configured = createPublicKey(publicKeyPem).export({ format: 'jwk' });
    if (derived.x !== configured.x || derived.crv !== 'Ed25519') {
      throw new Error('JWT_PRIVATE_KEY: must be an Ed25519 key matching JWT_PUBLIC_KEY');
    }
    const kid = thumbprint(derived.crv, derived.x ?? '');
    this.jwk = { kty: 'OKP', crv: 'Ed25519', x: derived.x ?? '', kid, alg: 'EdDSA', use: 'sig' };
    this.sign = createSigner<Record<string, unknown>>({
      key: privateKeyPem,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      kid,
      expiresIn: ttlSeconds * 1000,
    });
  }

  issue(userId: string, role: Role): AccessToken {
    const token = this.sign({ sub: userId, role });
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }
}

/** RFC 7638 JWK thumbprint, the key id. */
function thumbprint(crv: string, x: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv, kty: 'OKP', x }))
    .digest('base64url');
}
