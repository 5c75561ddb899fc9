import type { Admin } from 'kafkajs';
import type { PlatformEvent } from '@nexus/events';
import type { ServiceSpec } from '@nexus/runtime';
import { addApiRoutes } from './api/api.routes';
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
 * into read models, their JSON API and a dashboard. HTTP only, no gRPC.
 */
export function analyticsService(config: AnalyticsConfig, hooks: AnalyticsHooks = {}): ServiceSpec {
  let admin: Admin | null = null;
  let metrics: AnalyticsMetrics | undefined;
  const groupId = config.consumerGroup;

  return {
    name: 'analytics',
    ...database,
    aggregates: [],
    grpc: false,
    bind: () => [],
    consume: async (runtime) => {
      metrics ??= new AnalyticsMetrics(runtime.metrics.registry, { admin: () => admin, groupId });
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
          stop: async () => {
            admin = null;
            await consumer.stop();
          },
        },
      ];
    },
    routes: (app, runtime) => {
      addApiRoutes(app, {
        dataSource: runtime.dataSource,
        logger: runtime.logger,
        groupId,
        admin: () => admin,
      });
      addDashboardRoutes(app, { refreshSeconds: config.dashboardRefreshSeconds });
    },
  };
}
