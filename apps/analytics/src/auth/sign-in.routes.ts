import { status, type ServiceError } from '@grpc/grpc-js';
import express, { type Express } from 'express';
import { z } from 'zod';
import type { UsersClient } from '@nexus/clients';
import { KitError } from '@nexus/core';
import type { TokenVerifier } from '@nexus/grpc';
import type { Logger } from '@nexus/ops';
import { jsonErrors } from '../http/json-errors';

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

/**
 * POST /auth/sign-in `{ login, password }`: the dashboard's sign-in, passed
 * to the users service's Authenticate. Answers `{ accessToken, expiresAt, role }`
 * for the page to send as a bearer token; sets no cookie. The password goes
 * to users and nowhere else (not logged, not echoed).
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
    const session = await deps.users.authenticate(parsed.data).catch((error: unknown) => {
      throw signInError(error);
    });
    res.set('Cache-Control', 'no-store').json({
      accessToken: session.accessToken,
      expiresAt: session.expireTime?.toISOString() ?? null,
      role: roleOf(deps.verifier, session.accessToken),
    });
  });

  app.use('/auth', (_req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: 'no such endpoint' } });
  });
  app.use('/auth', jsonErrors(deps.logger, 'sign-in'));
}

/** What the users service said, as the kit error the caller should see. */
function signInError(error: unknown): unknown {
  const { code, details } = error as Partial<ServiceError>;
  switch (code) {
    case status.UNAUTHENTICATED:
      return KitError.unauthenticated(details || 'invalid login or password');
    case status.PERMISSION_DENIED:
      // A deactivated account.
      return KitError.denied(details || 'this account may not sign in');
    case status.INVALID_ARGUMENT:
      return new KitError('INVALID_ARGUMENT', details || 'invalid login or password');
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return new KitError(
        'DEPENDENCY_UNAVAILABLE',
        'the users service is unavailable; try again shortly',
      );
    default:
      return error;
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
