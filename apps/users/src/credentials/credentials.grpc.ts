import { PUBLIC, type RpcKit } from '@nexus/grpc';
import type { usersV1 } from '@nexus/proto';
import { validate } from '@nexus/core';
import { toUserMessage } from '../users/user.mapping';
import {
  requestPasswordResetSchema,
  resetPasswordSchema,
  unlockUserSchema,
} from './credentials.validation';
import type { PasswordResetService } from './password-reset.service';
import type { SignInUnlockService } from './sign-in-unlock.service';

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
        await resets.request(login, ctx.peerAddress);
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
      return toUserMessage(user, signIn);
    }),
  };
}
