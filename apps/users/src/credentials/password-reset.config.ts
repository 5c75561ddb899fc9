import { z } from 'zod';
import { envInt } from '@nexus/config';

const DEVELOPMENT_DELIVERY_KEY = Buffer.from(
  'nexus-development-reset-delivery-key-not-for-prod',
).subarray(0, 32);

/** Password reset (docs/users.md, "Password reset"). */
export const passwordResetEnv = {
  PASSWORD_RESET_TTL_SECONDS: envInt(3_600, 60, 86_400),
  /**
   * Every RequestPasswordReset answers no sooner than this after it arrived,
   * whether or not the login exists, so its timing tells nothing.
   */
  PASSWORD_RESET_RESPONSE_FLOOR_MS: envInt(250, 0, 10_000),
  /**
   * 32 bytes, base64: seals the reset token in the event for the mail sender,
   * which holds the same key (openResetDelivery). Required in production.
   */
  PASSWORD_RESET_DELIVERY_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64')
    .optional(),
};

type ResetEnv = {
  NODE_ENV: string;
  PASSWORD_RESET_TTL_SECONDS: number;
  PASSWORD_RESET_RESPONSE_FLOOR_MS: number;
  PASSWORD_RESET_DELIVERY_KEY?: string;
};

export interface PasswordResetConfig {
  ttlSeconds: number;
  responseFloorMs: number;
  deliveryKey: Buffer;
}

/** The reset settings; the delivery key is required in production, a fixed one in development. */
export function passwordResetConfig(env: ResetEnv): PasswordResetConfig {
  if (!env.PASSWORD_RESET_DELIVERY_KEY && env.NODE_ENV === 'production') {
    throw new Error('PASSWORD_RESET_DELIVERY_KEY: required when NODE_ENV=production');
  }
  return {
    ttlSeconds: env.PASSWORD_RESET_TTL_SECONDS,
    responseFloorMs: env.PASSWORD_RESET_RESPONSE_FLOOR_MS,
    deliveryKey: env.PASSWORD_RESET_DELIVERY_KEY
      ? Buffer.from(env.PASSWORD_RESET_DELIVERY_KEY, 'base64')
      : DEVELOPMENT_DELIVERY_KEY,
  };
}
