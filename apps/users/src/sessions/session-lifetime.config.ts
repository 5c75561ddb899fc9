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
  // What ListSessions can show of past sessions; a reused refresh token of a
  // purged session is only "unknown" any more (it fails all the same).
  SESSION_RETENTION_SECONDS: envInt(30 * 86_400, 3_600, 3_650 * 86_400),
  SESSION_PURGE_INTERVAL_SECONDS: envInt(3_600, 10, 86_400),
};

export function sessionLifetime(parsed: {
  SESSION_IDLE_TIMEOUT_SECONDS: number;
  SESSION_MAX_LIFETIME_SECONDS: number;
  SESSION_RETENTION_SECONDS: number;
  SESSION_PURGE_INTERVAL_SECONDS: number;
}): SessionLifetime {
  return {
    idleTimeoutSeconds: parsed.SESSION_IDLE_TIMEOUT_SECONDS,
    maxLifetimeSeconds: parsed.SESSION_MAX_LIFETIME_SECONDS,
    retentionSeconds: parsed.SESSION_RETENTION_SECONDS,
    purgeIntervalSeconds: parsed.SESSION_PURGE_INTERVAL_SECONDS,
  };
}
