import type { RequestHandler } from 'express';
import { KitError, type Principal, type Role } from '@nexus/core';
import { bearerToken, type TokenVerifier } from '@nexus/grpc';

/** Who may read analytics: platform activity of everyone is for managers and admins. */
export const ANALYTICS_READERS: readonly Role[] = ['admin', 'manager'];

/**
 * Requires `Authorization: Bearer <access token>` (a users-issued token, as
 * on every gRPC call) of a manager or admin. No or a bad token is
 * UNAUTHENTICATED with a `WWW-Authenticate: Bearer` challenge (RFC 6750);
 * another role is PERMISSION_DENIED. The principal goes on `res.locals.principal`.
 */
export function requireAnalyticsReader(verifier: TokenVerifier): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      res.set('WWW-Authenticate', 'Bearer');
      throw KitError.unauthenticated('sign in: send "Authorization: Bearer <access token>"');
    }
    let principal: Principal;
    try {
      const token = bearerToken(header);
      if (!token) throw KitError.unauthenticated('authorization must be "Bearer <token>"');
      principal = verifier.principalOf(token);
    } catch (error) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw error;
    }
    if (!ANALYTICS_READERS.includes(principal.role)) {
      throw KitError.denied(
        `analytics needs a manager or admin; you are signed in as a ${principal.role}`,
      );
    }
    // What a token may read is not for shared caches.
    res.set('Cache-Control', 'no-store');
    res.locals.principal = principal;
    next();
  };
}
