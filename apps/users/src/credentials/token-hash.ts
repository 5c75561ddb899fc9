import { createHash } from 'node:crypto';

/**
 * How the users service stores a single-use secret it issued (email
 * verification, password reset, refresh token): SHA-256, hex. A 256-bit
 * random token needs no salt or slow hash to be safe at rest.
 */
export function hashIssuedToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
