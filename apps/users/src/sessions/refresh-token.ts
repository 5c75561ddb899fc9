import { randomBytes } from 'node:crypto';
import { hashIssuedToken } from '../credentials/token-hash';

/** A new refresh token: 32 random bytes, base64url; only its hash is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** As every token users issues is stored (hashIssuedToken). */
export const hashRefreshToken = hashIssuedToken;
