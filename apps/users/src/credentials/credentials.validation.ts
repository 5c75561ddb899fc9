import { z } from 'zod';
import { idSchema } from '@nexus/grpc';
import { authenticateSchema, changePasswordSchema } from '../users/user.validation';

/** The request schemas of password reset and unlocking, with the rules of sign-in and ChangePassword. */

export const requestPasswordResetSchema = z.object({ login: authenticateSchema.shape.login });

export const resetPasswordSchema = z.object({
  token: z.string().min(1, 'is required').max(128, 'is not a reset token'),
  newPassword: changePasswordSchema.shape.newPassword,
});

export const unlockUserSchema = idSchema;
