import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import type { UsersClient } from '@nexus/clients';
import { KitError } from '@nexus/core';
import type { TokenVerifier } from '@nexus/grpc';
import type { Logger } from '@nexus/ops';
import type { usersV1 } from '@nexus/proto';
import { jsonErrors } from '../http/json-errors';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from './refresh-cookie';
import { usersCallError } from './users-errors';

export interface SignInDependencies {
  users: UsersClient;
  verifier: TokenVerifier;
  logger: Logger;
}

// The users service's own limits (AuthenticateRequest), checked before the call.
const signInBody = z.object({
  login: z.string().trim().min(1, 'is required').max(254, 'must be at most 254 characters'),
  password: z.string().min(1, 'is required').max(256, 'must be at most 256 characters'),
});

/** What the dashboard's sessions show in ListSessions: this app and the browser. */
const CLIENT = 'analytics dashboard';

/**
 * The dashboard's sign-in, kept alive by the users service's refresh tokens:
 *
 * - POST /auth/sign-in `{ login, password }`: Authenticate. Answers
 *   `{ accessToken, expiresAt, role }` for the page to send as a bearer
 *   token, and keeps the refresh token in an HttpOnly cookie (refresh-cookie.ts).
 * - POST /auth/refresh: RefreshSession with the cookie's token; the same
 *   answer and the next refresh token in the cookie. 401 (cookie cleared)
 *   when the session has ended.
 * - POST /auth/sign-out: SignOut with the cookie's token, which ends the
 *   session (and so its access tokens everywhere); 204, cookie cleared.
 *
 * Passwords and tokens go to users and back, never to a log.
 */
export function addSignInRoutes(app: Express, deps: SignInDependencies): void {
  app.post('/auth/sign-in', express.json({ limit: '4kb' }), async (req, res) => {
    const parsed = signInBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw KitError.invalid(
        parsed.error.issues.map((issue) => ({
          field: issue.path.join('.'),
          description: issue.message,
        })),
      );
    }
    const session = await deps.users
      .authenticate({ ...parsed.data, client: clientOf(req) })
      .catch((error: unknown) => {
        throw usersCallError(error, 'invalid login or password');
      });
    answerSession(req, res, deps, session);
  });

  app.post('/auth/refresh', async (req, res) => {
    checkSameOrigin(req);
    const refreshToken = refreshCookieOf(req);
    if (!refreshToken) throw KitError.unauthenticated('not signed in');
    const session = await deps.users.refreshSession({ refreshToken }).catch((error: unknown) => {
      const mapped = usersCallError(error, 'your session has ended: sign in again');
      if (mapped instanceof KitError && mapped.kind === 'unauthenticated') {
        clearRefreshCookie(req, res);
      }
      throw mapped;
    });
    answerSession(req, res, deps, session);
  });

  app.post('/auth/sign-out', async (req, res) => {
    checkSameOrigin(req);
    const refreshToken = refreshCookieOf(req);
    if (refreshToken) {
      await deps.users.signOut({ refreshToken }).catch((error: unknown) => {
        throw usersCallError(error, 'could not sign out');
      });
    }
    clearRefreshCookie(req, res);
    res.set('Cache-Control', 'no-store').status(204).end();
  });

  app.use('/auth', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
  });
  app.use('/auth', jsonErrors(deps.logger, 'sign-in'));
}

function answerSession(
  req: Request,
  res: Response,
  deps: SignInDependencies,
  session: usersV1.AuthenticateResponse,
): void {
  const role = roleOf(deps.verifier, session.accessToken);
  setRefreshCookie(req, res, session.refreshToken, session.refreshExpireTime);
  res.set('Cache-Control', 'no-store').json({
    accessToken: session.accessToken,
    expiresAt: session.expireTime?.toISOString() ?? null,
    role,
  });
}

/** "analytics dashboard (<browser>)", which users cuts to its limit. */
function clientOf(req: Request): string {
  const agent = req.get('user-agent')?.trim();
  return (agent ? `${CLIENT} (${agent})` : CLIENT).slice(0, 200);
}

/**
 * The cookie is SameSite=Strict already; a browser that says the request
 * comes from another site (Fetch Metadata) is refused as well.
 */
function checkSameOrigin(req: Request): void {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw KitError.denied('sessions are refreshed and ended from the dashboard itself');
  }
}

/**
 * The role in the token users issued, verified as the API will verify it: a
 * token this service cannot verify means its JWT_PUBLIC_KEY is not the users
 * service's, which no caller can fix.
 */
function roleOf(verifier: TokenVerifier, token: string): string {
  try {
    return verifier.principalOf(token).role;
  } catch {
    throw new Error(
      'the users service issued a token that JWT_PUBLIC_KEY does not verify: the keys differ',
    );
  }
}
