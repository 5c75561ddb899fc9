import { z } from 'zod';
import {
  baseEnvSchema,
  envInt,
  grpcClientTls,
  envPort,
  loadConfig,
  serviceAddressesEnvSchema,
  type GrpcClientTls,
} from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';

const analyticsEnvSchema = baseEnvSchema.extend(serviceAddressesEnvSchema.shape).extend({
  ANALYTICS_HTTP_PORT: envPort(8086),
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
  /** host:port of the users service, which the dashboard's sign-in asks. */
  usersAddress: string;
  /** TLS to the users service (GRPC_TLS_CA); undefined: plaintext. */
  usersTls?: GrpcClientTls;
}

/** The analytics service's configuration, from the environment, validated once. */
export function analyticsConfig(
  env: Record<string, string | undefined> = process.env,
): AnalyticsConfig {
  const parsed = loadConfig(analyticsEnvSchema, env);
  return {
    // Analytics has no gRPC API (ServiceSpec.grpc is false): HTTP only.
    service: serviceConfig(parsed, { grpcPort: 0, httpPort: parsed.ANALYTICS_HTTP_PORT }),
    consumerGroup: parsed.ANALYTICS_CONSUMER_GROUP,
    consumerConcurrency: parsed.ANALYTICS_CONSUMER_CONCURRENCY,
    dashboardRefreshSeconds: parsed.ANALYTICS_DASHBOARD_REFRESH_SECONDS,
    usersAddress: parsed.USERS_GRPC_ADDRESS,
    usersTls: grpcClientTls(parsed),
  };
}
