import { uuidv7 } from '@nexus/core';
import { createKafka, type Kafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import type { RunningService } from '@nexus/runtime';
import {
  eventually as pollUntil,
  signTestToken,
  startTestService,
  testServiceConfig,
} from '@nexus/testing';
import { analyticsService, type AnalyticsHooks } from '../analytics.app';
import type { AnalyticsConfig } from '../config';

/**
 * A config for tests: the run's stack, free ports, and a consumer group of
 * its own. Sign-ins go to `usersAddress`; by default a port nobody listens on
 * (tests that sign in start a users process).
 */
export function testAnalyticsConfig(
  options: { groupId?: string; usersAddress?: string } = {},
): AnalyticsConfig {
  return {
    service: testServiceConfig(),
    consumerGroup: options.groupId ?? `nexus-analytics-test-${uuidv7()}`,
    consumerConcurrency: 3,
    dashboardRefreshSeconds: 1,
    usersAddress: options.usersAddress ?? '127.0.0.1:1',
  };
}

export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface AnalyticsHarness {
  service: RunningService;
  config: AnalyticsConfig;
  baseUrl: string;
  /**
   * GET a path as a manager (a token signed with the run's key), or with
   * `token` (null: no Authorization header); the status and parsed JSON.
   */
  get<T = Record<string, unknown>>(
    path: string,
    options?: { token?: string | null },
  ): Promise<HttpAnswer<T>>;
  /** POST `body` as JSON to a path; the status and parsed JSON. */
  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<HttpAnswer<T>>;
  stop(): Promise<void>;
}

export async function startAnalytics(
  config: AnalyticsConfig = testAnalyticsConfig(),
  hooks: AnalyticsHooks = {},
): Promise<AnalyticsHarness> {
  const service = await startTestService(analyticsService(config, hooks), config.service);
  const baseUrl = `http://127.0.0.1:${service.httpPort}`;
  const manager = signTestToken({ role: 'manager', expiresInMs: 3_600_000 });
  const answer = async <T>(response: Response): Promise<HttpAnswer<T>> => ({
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as T,
  });
  return {
    service,
    config,
    baseUrl,
    get: async <T>(path: string, options: { token?: string | null } = {}) => {
      const token = options.token === undefined ? manager : options.token;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      return answer<T>(await fetch(`${baseUrl}${path}`, { headers }));
    },
    post: async <T>(path: string, body: unknown) =>
      answer<T>(
        await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    stop: () => service.stop(),
  };
}

export function testKafka(clientId = 'analytics-test'): Kafka {
  return createKafka({
    brokers: process.env.KAFKA_BROKERS!,
    clientId,
    logger: createLogger({ service: clientId, level: 'silent' }),
  });
}

/**
 * The kit's polling with a generous default: a fresh consumer group first
 * replays everything the run's (possibly shared) broker holds.
 */
export const eventually = <T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> => pollUntil(probe, done, timeoutMs);
