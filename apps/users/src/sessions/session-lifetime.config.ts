import { envInt } from '@nexus/config';
import type { SessionLifetime } from './session-lifetime';

/**
 * How long sessions live (OWASP ASVS V3.3: re-authentication after an idle
 * period and periodically however active). The defaults are ASVS level 2:
 * 30 minutes idle, 12 hours at most. A refresh before the idle timeout
 * keeps a session open, never past its absolute lifetime.
 */
export const sessionLifetimeEnv = {
  SESSION_IDLE_TIMEOUT_SECONDS: envInt(1_800, 60, 30 * 86_400),
  SESSION_MAX_LIFETIME_SECONDS: envInt(43_200, 60, 365 * 86_400),
};

export function sessionLifetime(parsed: {
  SESSION_IDLE_TIMEOUT_SECONDS: number;
  SESSION_MAX_LIFETIME_SECONDS: number;
}): SessionLifetime {
  return {
    idleTimeoutSeconds: parsed.SESSION_IDLE_TIMEOUT_SECONDS,
    maxLifetimeSeconds: parsed.SESSION_MAX_LIFETIME_SECONDS,
  };
}
