import { randomBytes } from 'node:crypto';
import { type ConfigError, parseEnv } from '@nexus/config';
import { z } from 'zod';
import { passwordResetConfig, passwordResetEnv } from './password-reset.config';
import { signInThrottleEnv, signInThrottlePolicy } from './sign-in-throttle.config';

const throttleEnv = (env: Record<string, string>) =>
  signInThrottlePolicy(parseEnv(z.object(signInThrottleEnv), env));
const resetEnv = (env: Record<string, string>) =>
  passwordResetConfig({ NODE_ENV: 'development', ...parseEnv(z.object(passwordResetEnv), env) });

describe('sign-in throttle settings', () => {
  it('defaults to 5/10 per login, 30/300 per source, 1 s doubling to 60 s, 15 min lockout', () => {
    expect(throttleEnv({})).toEqual({
      login: { soft: 5, hard: 10 },
      source: { soft: 30, hard: 300 },
      delayBaseSeconds: 1,
      delayMaxSeconds: 60,
      lockoutSeconds: 900,
      resetSeconds: 3_600,
      trustedProxies: [],
    });
    expect(throttleEnv({ SIGN_IN_TRUSTED_PROXIES: '10.0.0.2, ::1' }).trustedProxies).toEqual([
      '10.0.0.2',
      '::1',
    ]);
  });

  it('names every setting that contradicts another, and proxies that are not addresses', () => {
    let problems: readonly string[] = [];
    try {
      throttleEnv({
        SIGN_IN_LOGIN_SOFT_LIMIT: '11',
        SIGN_IN_LOCKOUT_SECONDS: '3600',
        SIGN_IN_DELAY_BASE_SECONDS: '120',
      });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'SIGN_IN_LOGIN_SOFT_LIMIT: must not exceed SIGN_IN_LOGIN_HARD_LIMIT',
      'SIGN_IN_FAILURE_RESET_SECONDS: must exceed SIGN_IN_LOCKOUT_SECONDS',
      'SIGN_IN_DELAY_BASE_SECONDS: must not exceed SIGN_IN_DELAY_MAX_SECONDS',
    ]);
    expect(() => throttleEnv({ SIGN_IN_TRUSTED_PROXIES: 'gateway.local' })).toThrow(
      'SIGN_IN_TRUSTED_PROXIES: must list IP addresses',
    );
  });
});

describe('password reset settings', () => {
  it('takes a 32-byte base64 delivery key, and requires one in production', () => {
    const key = randomBytes(32);
    expect(resetEnv({ PASSWORD_RESET_DELIVERY_KEY: key.toString('base64') }).deliveryKey).toEqual(
      key,
    );
    expect(resetEnv({}).deliveryKey).toHaveLength(32);
    expect(() =>
      resetEnv({ PASSWORD_RESET_DELIVERY_KEY: randomBytes(16).toString('base64') }),
    ).toThrow('PASSWORD_RESET_DELIVERY_KEY: must be 32 bytes in base64');
    expect(() =>
      passwordResetConfig({
        NODE_ENV: 'production',
        PASSWORD_RESET_TTL_SECONDS: 3_600,
        PASSWORD_RESET_RESPONSE_FLOOR_MS: 250,
      }),
    ).toThrow('PASSWORD_RESET_DELIVERY_KEY: required when NODE_ENV=production');
  });
});
