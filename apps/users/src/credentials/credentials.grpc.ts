import { PUBLIC, type CallContext, type RpcKit } from '@nexus/grpc';
import type { usersV1 } from '@nexus/proto';
import { validate } from '@nexus/core';
import { toUserMessage } from '../users/user.mapping';
import {
  requestPasswordResetSchema,
  resetPasswordSchema,
  unlockUserSchema,
} from './credentials.validation';
import type { PasswordResetService } from './password-reset.service';
import type { AttemptSource } from './sign-in-throttle';
import type { SignInUnlockService } from './sign-in-unlock.service';

/** Where a call comes from, for the sign-in throttle (a trusted proxy may name its client). */
export function attemptSourceOf(ctx: CallContext): AttemptSource {
  const forwardedFor = ctx.metadata.get('x-forwarded-for')[0];
  return {
    address: ctx.peerAddress,
    forwardedFor: typeof forwardedFor === 'string' ? forwardedFor : undefined,
  };
}

type CredentialRpcs = Pick<
  usersV1.UserServiceServer,
  'requestPasswordReset' | 'resetPassword' | 'unlockUser'
>;

/** Password reset and unlocking, of nexus.users.v1.UserService: decode, validate, call, encode. */
export function credentialHandlers(
  rpc: RpcKit,
  resets: PasswordResetService,
  unlocks: SignInUnlockService,
): CredentialRpcs {
  return {
    requestPasswordReset: rpc.unary(
      'RequestPasswordReset',
      async (request: usersV1.RequestPasswordResetRequest, ctx) => {
        const { login } = validate(requestPasswordResetSchema, request);
        await resets.request(login, attemptSourceOf(ctx));
        return {};
      },
      PUBLIC,
    ),

    resetPassword: rpc.unary(
      'ResetPassword',
      async (request: usersV1.ResetPasswordRequest) => {
        const { token, newPassword } = validate(resetPasswordSchema, request);
        await resets.reset(token, newPassword);
        return {};
      },
      PUBLIC,
    ),

    unlockUser: rpc.unary('UnlockUser', async (request: usersV1.UnlockUserRequest, ctx) => {
      const { id } = validate(unlockUserSchema, request);
      const { user, signIn } = await unlocks.unlock(ctx.caller, id);
      // An admin action with no event (the counts are bookkeeping): the log is its trace.
      ctx.logger.info({ userId: id, by: ctx.caller.userId }, 'sign-in throttle unlocked');
      return toUserMessage(user, signIn);
    }),
  };
}
