import type { CookieOptions, Request, Response } from 'express';

/**
 * The dashboard's refresh token lives in this cookie: HttpOnly (the page's
 * script never sees it, so an injected script cannot steal it), SameSite
 * Strict and scoped to /auth (sent only to the sign-in endpoints, never to
 * the API or from another site), Secure when served over HTTPS.
 */
export const REFRESH_COOKIE = 'nexus_refresh';
const PATH = '/auth';

function options(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: req.secure, path: PATH };
}

/** Keeps the refresh token until the session would expire unused (a refresh moves it). */
export function setRefreshCookie(
  req: Request,
  res: Response,
  refreshToken: string,
  expiresAt: Date | undefined,
): void {
  const maxAge = expiresAt ? Math.max(0, expiresAt.getTime() - Date.now()) : undefined;
  res.cookie(REFRESH_COOKIE, refreshToken, { ...options(req), maxAge });
}

export function clearRefreshCookie(req: Request, res: Response): void {
  res.clearCookie(REFRESH_COOKIE, options(req));
}

/** The refresh token the browser sent, if any (base64url: no decoding needed). */
export function refreshCookieOf(req: Request): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === REFRESH_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}
