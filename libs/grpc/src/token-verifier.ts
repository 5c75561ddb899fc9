import { createHash, createPublicKey } from 'node:crypto';
import { createDecoder, createVerifier } from 'fast-jwt';
import { KitError, ROLES, isUuid, type Principal, type Role } from '@nexus/core';
import type { TokenRevocations } from './token-revocations';

export const TOKEN_ISSUER = 'nexus-users';
export const TOKEN_AUDIENCE = 'nexus';
const CLOCK_TOLERANCE_MS = 5_000;
const MAX_CACHED_TOKENS = 10_000;

type Verify = (token: string) => Record<string, unknown>;

interface VerifiedToken {
  principal: Principal;
  /** `iat` in ms (JWT NumericDate may carry a fraction: users signs to the millisecond). */
  issuedAtMs: number;
  untilMs: number;
}

/**
 * Verifies platform access tokens: EdDSA signatures by one of the users
 * service's keys (picked by the token's `kid`), issuer, audience, expiry,
 * and revocation. Only users holds the private keys; every service verifies
 * with the public ones. Several keys make a rotation: the new key is added
 * everywhere, users signs with it, and the old one is removed once the
 * tokens it signed have expired (docs/security.md).
 */
export class TokenVerifier {
  /** By key id (the RFC 7638 thumbprint users puts in the token's header). */
  private readonly verifiers = new Map<string, Verify>();
  private readonly decodeHeader = createDecoder({ complete: true }) as (token: string) => {
    header: { kid?: unknown };
  };
  /**
   * Tokens already verified, by the token itself, until they expire. A
   * client sends the same token on every call: this takes EdDSA off the hot
   * path (revocation is still checked on every call). Our own map rather
   * than fast-jwt's cache, whose key is a SHA-512 of the token computed on
   * every call (the cost a cache is there to remove) unless given a custom
   * key builder, which it warns about at every start.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  /**
   * @param publicKeysPem one or more PEM public keys (concatenated), every key
   *   whose tokens are still valid.
   * @param revocations the tokens voided before they expire; none when absent.
   */
  constructor(
    publicKeysPem: string,
    private readonly revocations?: TokenRevocations,
  ) {
    for (const pem of splitPublicKeys(publicKeysPem)) {
      this.verifiers.set(
        keyId(pem),
        createVerifier({
          key: pem,
          algorithms: ['EdDSA'],
          allowedIss: TOKEN_ISSUER,
          allowedAud: TOKEN_AUDIENCE,
          clockTolerance: CLOCK_TOLERANCE_MS,
        }) as Verify,
      );
    }
    if (this.verifiers.size === 0) throw new Error('JWT_PUBLIC_KEY: no PEM public key found');
  }

  /** The principal of a bearer token, or UNAUTHENTICATED saying why not. */
  principalOf(token: string): Principal {
    const verified = this.verifiedToken(token);
    const { principal } = verified;
    if (this.revocations?.isRevoked(principal.userId, principal.sessionId, verified.issuedAtMs)) {
      throw new KitError('TOKEN_REVOKED', 'the token has been revoked: sign in again');
    }
    return principal;
  }

  private verifiedToken(token: string): VerifiedToken {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && now < hit.untilMs) return hit;
    if (hit) this.verified.delete(token);
    const entry = this.verify(token);
    // Insertion order is age: past the bound, the oldest entry goes.
    if (this.verified.size >= MAX_CACHED_TOKENS) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, entry);
    return entry;
  }

  private verify(token: string): VerifiedToken {
    let claims: Record<string, unknown>;
    try {
      claims = this.verifierFor(token)(token);
    } catch (error) {
      const reason =
        (error as { code?: string }).code === 'FAST_JWT_EXPIRED'
          ? 'the token has expired'
          : 'the token is not valid';
      throw KitError.unauthenticated(reason);
    }
    const { sub, role, sid, iat, exp } = claims;
    if (
      typeof sub !== 'string' ||
      !isUuid(sub) ||
      !ROLES.includes(role as Role) ||
      (sid !== undefined && (typeof sid !== 'string' || !isUuid(sid))) ||
      typeof exp !== 'number'
    ) {
      throw KitError.unauthenticated('the token does not name a user and role');
    }
    return {
      principal: { userId: sub, role: role as Role, token, ...(sid ? { sessionId: sid } : {}) },
      // A token without `iat` counts as issued at the epoch: any revocation voids it.
      issuedAtMs: typeof iat === 'number' ? iat * 1000 : 0,
      untilMs: exp * 1000 + CLOCK_TOLERANCE_MS,
    };
  }

  /** The verifier of the token's `kid`; any key's when it names none (its signature decides). */
  private verifierFor(token: string): Verify {
    let kid: unknown;
    try {
      kid = this.decodeHeader(token).header.kid;
    } catch {
      throw KitError.unauthenticated('the token is not valid');
    }
    if (kid === undefined) return (text) => this.tryEveryKey(text);
    const verify = typeof kid === 'string' ? this.verifiers.get(kid) : undefined;
    if (!verify) throw KitError.unauthenticated('the token is not valid');
    return verify;
  }

  private tryEveryKey(token: string): Record<string, unknown> {
    let failure: unknown;
    for (const verify of this.verifiers.values()) {
      try {
        return verify(token);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
}

/** The PEM public keys of a text that may hold several, in order. */
export function splitPublicKeys(text: string): string[] {
  return text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
}

/** A public key's id: its RFC 7638 JWK thumbprint (the `kid` of what it signs). */
export function keyId(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw new Error('JWT_PUBLIC_KEY: every key must be an Ed25519 public key');
  }
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
}

/** The token of an `authorization: Bearer <token>` header, if present. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw KitError.unauthenticated('authorization must be "Bearer <token>"');
  return match[1] ?? null;
}
