import { createVerifier } from 'fast-jwt';
import { KitError, ROLES, isUuid, type Principal, type Role } from '@nexus/core';

export const TOKEN_ISSUER = 'nexus-users';
export const TOKEN_AUDIENCE = 'nexus';

/**
 * Verifies platform access tokens: EdDSA signatures by the users service's
 * key, issuer, audience and expiry. Only users holds the private key; every
 * service verifies with the public one.
 */
export class TokenVerifier {
  private readonly verify: (token: string) => Record<string, unknown>;

  constructor(publicKeyPem: string) {
    this.verify = createVerifier({
      key: publicKeyPem,
      algorithms: ['EdDSA'],
      allowedIss: TOKEN_ISSUER,
      allowedAud: TOKEN_AUDIENCE,
      clockTolerance: 5_000,
      // A client sends the same token on every call: verifying the signature
      // once per token (until it expires) takes EdDSA off the hot path.
      cache: 10_000,
      // Keyed by the token itself: fast-jwt's default key is a SHA-512 of the
      // token, computed on every call, a cost the cache was there to remove.
      cacheKeyBuilder: (token: string) => token,
    }) as (token: string) => Record<string, unknown>;
  }

  /** The principal of a bearer token, or UNAUTHENTICATED saying why not. */
  principalOf(token: string): Principal {
    let claims: Record<string, unknown>;
    try {
      claims = this.verify(token);
    } catch (error) {
      const reason =
        (error as { code?: string }).code === 'FAST_JWT_EXPIRED'
          ? 'the token has expired'
          : 'the token is not valid';
      throw KitError.unauthenticated(reason);
    }
    const { sub, role } = claims;
    if (typeof sub !== 'string' || !isUuid(sub) || !ROLES.includes(role as Role)) {
      throw KitError.unauthenticated('the token does not name a user and role');
    }
    return { userId: sub, role: role as Role, token };
  }
}

/** The token of an `authorization: Bearer <token>` header, if present. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw KitError.unauthenticated('authorization must be "Bearer <token>"');
  return match[1] ?? null;
}
