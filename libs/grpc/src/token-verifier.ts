import { createVerifier } from 'fast-jwt';
import { KitError, ROLES, isUuid, type Principal, type Role } from '@nexus/core';

export const TOKEN_ISSUER = 'nexus-users';
export const TOKEN_AUDIENCE = 'nexus';
const CLOCK_TOLERANCE_MS = 5_000;
const MAX_CACHED_TOKENS = 10_000;

/**
 * Verifies platform access tokens: EdDSA signatures by the users service's
 * key, issuer, audience and expiry. Only users holds the private key; every
 * service verifies with the public one.
 */
export class TokenVerifier {
  private readonly verify: (token: string) => Record<string, unknown>;
  /**
   * Claims of tokens already verified, by the token itself, until they
   * expire. A client sends the same token on every call: this takes EdDSA
   * off the hot path. Our own map rather than fast-jwt's cache, whose key is
   * a SHA-512 of the token computed on every call (the cost a cache is there
   * to remove) unless given a custom key builder, which it warns about at
   * every start.
   */
  private readonly verified = new Map<
    string,
    { claims: Record<string, unknown>; untilMs: number }
  >();

  constructor(publicKeyPem: string) {
    this.verify = createVerifier({
      key: publicKeyPem,
      algorithms: ['EdDSA'],
      allowedIss: TOKEN_ISSUER,
      allowedAud: TOKEN_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_MS,
    }) as (token: string) => Record<string, unknown>;
  }

  /** The principal of a bearer token, or UNAUTHENTICATED saying why not. */
  principalOf(token: string): Principal {
    let claims: Record<string, unknown>;
    try {
      claims = this.verifiedClaims(token);
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

  private verifiedClaims(token: string): Record<string, unknown> {
    const now = Date.now();
    const hit = this.verified.get(token);
    if (hit && now < hit.untilMs) return hit.claims;
    if (hit) this.verified.delete(token);
    const claims = this.verify(token);
    if (typeof claims.exp === 'number') {
      // Insertion order is age: past the bound, the oldest entry goes.
      if (this.verified.size >= MAX_CACHED_TOKENS) {
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(token, { claims, untilMs: claims.exp * 1000 + CLOCK_TOLERANCE_MS });
    }
    return claims;
  }
}

/** The token of an `authorization: Bearer <token>` header, if present. */

export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw KitError.unauthenticated('authorization must be "Bearer <token>"');
  return match[1] ?? null;
}
