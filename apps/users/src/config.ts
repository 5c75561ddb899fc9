import { z } from 'zod';
import {
  baseEnvSchema,
  envBoolean,
  envInt,
  envPort,
  loadConfig,
  privateKeySchema,
} from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';
import { sessionLifetime, sessionLifetimeEnv } from './sessions/session-lifetime.config';
import type { SessionLifetime } from './sessions/session-lifetime';
import {
  passwordResetConfig,
  passwordResetEnv,
  type PasswordResetConfig,
} from './credentials/password-reset.config';
import {
  signInThrottleEnv,
  signInThrottlePolicy,
  type ThrottlePolicy,
} from './credentials/sign-in-throttle.config';

const usersEnvSchema = baseEnvSchema.extend({
  USERS_GRPC_PORT: envPort(50051),
  USERS_HTTP_PORT: envPort(8081),
  JWT_PRIVATE_KEY: privateKeySchema,
  EMAIL_VERIFICATION_TTL_SECONDS: envInt(86_400, 60, 30 * 86_400),
  SELF_SIGNUP_ENABLED: envBoolean(true),
  NEXUS_ADMIN_EMAIL: z.email().optional(),
  NEXUS_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  ...sessionLifetimeEnv,
  ...signInThrottleEnv,
  ...passwordResetEnv,
});

export interface UsersConfig {
  service: ServiceConfig;
  jwtPrivateKey: string;
  accessTokenTtlSeconds: number;
  emailVerificationTtlSeconds: number;
  selfSignupEnabled: boolean;
  sessions: SessionLifetime;
  signInThrottle: ThrottlePolicy;
  passwordReset: PasswordResetConfig;
  /** The first admin, created at start when no user has this email. */
  bootstrapAdmin?: { email: string; password: string };
}

/** The users service's configuration, from the environment, validated once. */
export function usersConfig(env: Record<string, string | undefined> = process.env): UsersConfig {
  const parsed = loadConfig(usersEnvSchema, env);
  return {
    service: serviceConfig(parsed, {
      grpcPort: parsed.USERS_GRPC_PORT,
      httpPort: parsed.USERS_HTTP_PORT,
    }),
    jwtPrivateKey: parsed.JWT_PRIVATE_KEY,
    accessTokenTtlSeconds: parsed.ACCESS_TOKEN_TTL_SECONDS,
    emailVerificationTtlSeconds: parsed.EMAIL_VERIFICATION_TTL_SECONDS,
    selfSignupEnabled: parsed.SELF_SIGNUP_ENABLED,
    sessions: sessionLifetime(parsed),
    signInThrottle: signInThrottlePolicy(parsed),
    passwordReset: passwordResetConfig(parsed),
    bootstrapAdmin:
      parsed.NEXUS_ADMIN_EMAIL && parsed.NEXUS_ADMIN_PASSWORD
        ? { email: parsed.NEXUS_ADMIN_EMAIL, password: parsed.NEXUS_ADMIN_PASSWORD }
        : undefined,
  };
}
