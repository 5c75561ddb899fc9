import { z } from 'zod';
import { baseEnvSchema, envBoolean, envInt, envPort, loadConfig } from '@nexus/config';
import type { ServiceConfig } from '@nexus/runtime';

const analyticsEnvSchema = baseEnvSchema.extend({
  BIND_HOST: z.string().default('0.0.0.0'),
  ANALYTICS_HTTP_PORT: envPort(8086),
  MIGRATE_ON_START: envBoolean(true),
  /** The consumer group; a rebuild resets its offsets. Tests use their own. */
  ANALYTICS_CONSUMER_GROUP: z.string().min(1).default('nexus-analytics'),
  /** Partitions applied at once, each still in order. */
  ANALYTICS_CONSUMER_CONCURRENCY: envInt(3, 1, 64),
  /** How often the dashboard refreshes itself. */
  ANALYTICS_DASHBOARD_REFRESH_SECONDS: envInt(15, 1, 3_600),
});

export interface AnalyticsConfig {
  service: ServiceConfig;
  consumerGroup: string;
  consumerConcurrency: number;
  dashboardRefreshSeconds: number;
}

/** The analytics service's configuration, from the environment, validated once. */
export function analyticsConfig(
  env: Record<string, string | undefined> = process.env,
): AnalyticsConfig {
  const parsed = loadConfig(analyticsEnvSchema, env);
  return {
    service: {
      env: parsed,
      host: parsed.BIND_HOST,
      // Analytics has no gRPC API (ServiceSpec.grpc is false): HTTP only.
      grpcPort: 0,
      httpPort: parsed.ANALYTICS_HTTP_PORT,
      migrateOnStart: parsed.MIGRATE_ON_START,
    },
    consumerGroup: parsed.ANALYTICS_CONSUMER_GROUP,
    consumerConcurrency: parsed.ANALYTICS_CONSUMER_CONCURRENCY,
    dashboardRefreshSeconds: parsed.ANALYTICS_DASHBOARD_REFRESH_SECONDS,
  };
}
