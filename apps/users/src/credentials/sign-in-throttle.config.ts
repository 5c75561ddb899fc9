import { isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError, envInt } from '@nexus/config';
import type { BackoffPolicy, ThrottleLimits } from '@nexus/core';

/**
 * Brute-force protection of sign-in (docs/users.md, "Sign-in throttling").
 * Failed attempts are counted per login string and per source address; from
 * the soft limit on, each further attempt must wait, twice as long each time
 * (up to the maximum delay); at the hard limit the key is locked for the
 * lockout. A key's count is forgotten after the reset time without a failure.
 */
export const signInThrottleEnv = {
  SIGN_IN_LOGIN_SOFT_LIMIT: envInt(5, 1, 1_000_000),
  SIGN_IN_LOGIN_HARD_LIMIT: envInt(10, 1, 1_000_000),
  SIGN_IN_SOURCE_SOFT_LIMIT: envInt(30, 1, 1_000_000),
  SIGN_IN_SOURCE_HARD_LIMIT: envInt(300, 1, 1_000_000),
  SIGN_IN_DELAY_BASE_SECONDS: envInt(1, 1, 3_600),
  SIGN_IN_DELAY_MAX_SECONDS: envInt(60, 1, 86_400),
  SIGN_IN_LOCKOUT_SECONDS: envInt(900, 1, 7 * 86_400),
  SIGN_IN_FAILURE_RESET_SECONDS: envInt(3_600, 1, 30 * 86_400),
  /**
   * Comma-separated addresses of proxies that sign in for others (a gateway,
   * the analytics dashboard's server): from these peers the source is the
   * client address they put in `x-forwarded-for`, from anyone else the header
   * is ignored. Empty: no proxy is trusted.
   */
  SIGN_IN_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((entry) => isIP(entry) !== 0), 'must list IP addresses'),
};

type ThrottleEnv = {
  [K in Exclude<keyof typeof signInThrottleEnv, 'SIGN_IN_TRUSTED_PROXIES'>]: number;
} & {
  SIGN_IN_TRUSTED_PROXIES: string[];
};

export interface ThrottlePolicy extends BackoffPolicy {
  login: ThrottleLimits;
  source: ThrottleLimits;
  /** Peers whose `x-forwarded-for` names the source. */
  trustedProxies: readonly string[];
}

export function signInThrottlePolicy(env: ThrottleEnv): ThrottlePolicy {
  const problems: string[] = [];
  for (const kind of ['LOGIN', 'SOURCE'] as const) {
    if (env[`SIGN_IN_${kind}_SOFT_LIMIT`] > env[`SIGN_IN_${kind}_HARD_LIMIT`]) {
      problems.push(`SIGN_IN_${kind}_SOFT_LIMIT: must not exceed SIGN_IN_${kind}_HARD_LIMIT`);
    }
  }
  // Otherwise a lock would be forgotten before it ends.
  if (env.SIGN_IN_FAILURE_RESET_SECONDS <= env.SIGN_IN_LOCKOUT_SECONDS) {
    problems.push('SIGN_IN_FAILURE_RESET_SECONDS: must exceed SIGN_IN_LOCKOUT_SECONDS');
  }
  if (env.SIGN_IN_DELAY_BASE_SECONDS > env.SIGN_IN_DELAY_MAX_SECONDS) {
    problems.push('SIGN_IN_DELAY_BASE_SECONDS: must not exceed SIGN_IN_DELAY_MAX_SECONDS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    login: { soft: env.SIGN_IN_LOGIN_SOFT_LIMIT, hard: env.SIGN_IN_LOGIN_HARD_LIMIT },
    source: { soft: env.SIGN_IN_SOURCE_SOFT_LIMIT, hard: env.SIGN_IN_SOURCE_HARD_LIMIT },
    delayBaseSeconds: env.SIGN_IN_DELAY_BASE_SECONDS,
    delayMaxSeconds: env.SIGN_IN_DELAY_MAX_SECONDS,
    lockoutSeconds: env.SIGN_IN_LOCKOUT_SECONDS,
    resetSeconds: env.SIGN_IN_FAILURE_RESET_SECONDS,
    trustedProxies: env.SIGN_IN_TRUSTED_PROXIES,
  };
}
