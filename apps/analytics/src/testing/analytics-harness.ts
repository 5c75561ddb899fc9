import { uuidv7 } from '@nexus/core';
import { createKafka, type Kafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import type { RunningService } from '@nexus/runtime';
import { startTestService, testServiceConfig } from '@nexus/testing';
import { analyticsService, type AnalyticsHooks } from '../analytics.app';
import type { AnalyticsConfig } from '../config';

/** A config for tests: the run's stack, free ports, and a consumer group of its own. */
export function testAnalyticsConfig(groupId = `nexus-analytics-test-${uuidv7()}`): AnalyticsConfig {
  return {
    service: testServiceConfig(),
    consumerGroup: groupId,
    consumerConcurrency: 3,
    dashboardRefreshSeconds: 1,
  };
}

export interface AnalyticsHarness {
  service: RunningService;
  config: AnalyticsConfig;
  baseUrl: string;
  /** GET a path; the parsed JSON and the status. */
  get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startAnalytics(
  config: AnalyticsConfig = testAnalyticsConfig(),
  hooks: AnalyticsHooks = {},
): Promise<AnalyticsHarness> {
  const service = await startTestService(analyticsService(config, hooks), config.service);
  const baseUrl = `http://127.0.0.1:${service.httpPort}`;
  return {
    service,
    config,
    baseUrl,
    get: async <T>(path: string) => {
      const response = await fetch(`${baseUrl}${path}`);
      return { status: response.status, body: (await response.json()) as T };
    },
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
 * Polls `probe` until it returns a value `done` accepts; fails with the last
 * value. Generous: a fresh consumer group first replays everything the run's
 * (possibly shared) broker holds.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) {
      throw new Error(`not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}
