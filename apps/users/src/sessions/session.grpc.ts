import { PUBLIC, type RpcKit } from '@nexus/grpc';
import type { usersV1 } from '@nexus/proto';
import { validate } from '@nexus/core';
import { toUserMessage } from '../users/user.mapping';
import type { IssuedSession, SessionService } from './session.service';
import { toSessionMessage } from './session.mapping';
import {
  idSchema,
  listSessionsSchema,
  refreshSessionSchema,
  signOutSchema,
  userIdSchema,
} from './session.validation';

/** The RPCs of nexus.users.v1.UserService that are about sessions. */
export type SessionRpcs = Pick<
  usersV1.UserServiceServer,
  'refreshSession' | 'signOut' | 'signOutEverywhere' | 'listSessions' | 'endSession'
>;

/** What Authenticate and RefreshSession answer: the tokens of a session and its user. */
export function toAuthenticateResponse(issued: IssuedSession): usersV1.AuthenticateResponse {
  return {
    accessToken: issued.accessToken.token,
    tokenType: 'Bearer',
    expireTime: issued.accessToken.expiresAt,
    user: toUserMessage(issued.user, issued.signIn),
    refreshToken: issued.refreshToken,
    refreshExpireTime: toSessionMessage(issued.session).expireTime,
    sessionId: issued.session.id,
  };
}

/** Session RPCs: decode, validate, call the domain, encode. */
export function sessionHandlers(rpc: RpcKit, sessions: SessionService): SessionRpcs {
  return {
    refreshSession: rpc.unary(
      'RefreshSession',
      async (request: usersV1.RefreshSessionRequest) => {
        const { refreshToken } = validate(refreshSessionSchema, request);
        return toAuthenticateResponse(await sessions.refresh(refreshToken));
      },
      // The refresh token is the credential: the access token has usually expired.
      PUBLIC,
    ),

    signOut: rpc.unary(
      'SignOut',
      async (request: usersV1.SignOutRequest, ctx) => {
        const { refreshToken } = validate(signOutSchema, request);
        await sessions.signOut(ctx.principal, refreshToken);
        return {};
      },
      // With a refresh token no access token is needed (it may have expired).
      PUBLIC,
    ),

    signOutEverywhere: rpc.unary(
      'SignOutEverywhere',
      async (request: usersV1.SignOutEverywhereRequest, ctx) => {
        const { userId } = validate(userIdSchema, request);
        return { endedCount: await sessions.signOutEverywhere(ctx.caller, userId) };
      },
    ),

    listSessions: rpc.unary('ListSessions', async (request: usersV1.ListSessionsRequest, ctx) => {
      const caller = ctx.caller;
      const query = validate(listSessionsSchema, request);
      const page = await sessions.list(caller, query);
      return {
        sessions: page.items.map((session) => toSessionMessage(session, caller.sessionId)),
        nextPageToken: page.nextPageToken,
      };
    }),

    endSession: rpc.unary('EndSession', async (request: usersV1.EndSessionRequest, ctx) => {
      const { id } = validate(idSchema, request);
      return toSessionMessage(await sessions.end(ctx.caller, id), ctx.caller.sessionId);
    }),
  };
}
