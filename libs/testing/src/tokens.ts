import { createSigner } from 'fast-jwt';
import { uuidv7, type Role } from '@nexus/core';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@nexus/grpc';
import { requireEnv } from './event-collector';

/**
 * An access token signed with the run's key, as the users service would
 * issue it: lets a service's tests act as any role without the users service.
 */
export function signTestToken(claims: {
  role: Role;
  userId?: string;
  expiresInMs?: number;
  /** Sign as if at this time (ms), e.g. an hour ago for an expired token. */
  issuedAt?: number;
  key?: string;
}): string {
  const sign = createSigner<Record<string, unknown>>({
    key: claims.key ?? requireEnv('JWT_PRIVATE_KEY'),
    algorithm: 'EdDSA',
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    expiresIn: claims.expiresInMs ?? 60_000,
    clockTimestamp: claims.issuedAt,
  });
  return sign({ sub: claims.userId ?? uuidv7(), role: claims.role });
}

/** Call options that send `who`'s token: `client.getThing(request, as(alice))`. */
export function as(who: { token: string } | string): { token: string } {
  return { token: typeof who === 'string' ? who : who.token };
}
