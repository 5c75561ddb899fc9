import type { Admin } from 'kafkajs';
import { createUsersClient } from '@nexus/clients';
import type { PlatformEvent } from '@nexus/events';
import type { ServiceSpec } from '@nexus/runtime';
import { addApiRoutes } from './api/api.routes';
import { addSignInRoutes } from './auth/sign-in.routes';
import type { AnalyticsConfig } from './config';
import { AnalyticsMetrics } from './consumer/analytics-metrics';
import { startAnalyticsConsumer } from './consumer/analytics-consumer';
import { addDashboardRoutes } from './dashboard/dashboard.routes';
import { database } from './database';

export interface AnalyticsHooks {
  /** After an event's read-model change committed (the replay benchmark's latency probe). */
  onApplied?: (event: PlatformEvent) => void;
}

/**
 * The analytics service: a consumer group that turns every platform event
 * into read models, their JSON API (managers and admins, bearer token) and a
 * dashboard that signs in through the users service. HTTP only, no gRPC.
 */
export function analyticsService(config: AnalyticsConfig, hooks: AnalyticsHooks = {}): ServiceSpec {
  let admin: Admin | null = null;
  let metrics: AnalyticsMetrics | undefined;
  const groupId = config.consumerGroup;
  // Connects on the first sign-in; an unreachable users service fails only sign-ins.
  const users = createUsersClient({
    address: config.usersAddress,
    tls: config.usersTls,
    defaultDeadlineMs: 5_000,
  });

  return {
    name: 'analytics',
    ...database,
    aggregates: [],
    grpc: false,
    bind: () => [],
    consume: async (runtime) => {
      metrics ??= new AnalyticsMetrics(runtime.metrics.registry);
      const consumer = await startAnalyticsConsumer({
        kafka: runtime.kafka,
        dataSource: runtime.dataSource,
        logger: runtime.logger,
        groupId,
        concurrency: config.consumerConcurrency,
        metrics,
        onApplied: hooks.onApplied,
      });
      admin = consumer.admin;
      return [
        {
          consumer: consumer.consumer,
          groupId: consumer.groupId,
          lag: consumer.lag,
          stop: async () => {
            admin = null;
            await consumer.stop();
          },
        },
      ];
    },
    // No background work of its own: the hook closes the users client on stop.
    background: () => [{ stop: async () => users.close() }],
    routes: (app, runtime) => {
      addApiRoutes(app, {
        dataSource: runtime.dataSource,
        logger: runtime.logger,
        groupId,
        admin: () => admin,
        verifier: runtime.verifier,
      });
      addSignInRoutes(app, { users, verifier: runtime.verifier, logger: runtime.logger });
      addDashboardRoutes(app, { refreshSeconds: config.dashboardRefreshSeconds });
    },
  };
}
