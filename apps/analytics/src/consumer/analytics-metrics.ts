import type { Admin } from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { consumerLag } from './consumer-lag';

/** The consumer's own metrics, beside the service's (ServiceMetrics). */
export class AnalyticsMetrics {
  readonly eventsApplied: Counter<'type'>;
  readonly deadLettered: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition'>;

  constructor(registry: Registry, lagSource: { admin: () => Admin | null; groupId: string }) {
    this.eventsApplied = new Counter({
      name: 'nexus_analytics_events_applied_total',
      help: 'Events applied to the read models, by event type (duplicates excluded).',
      labelNames: ['type'] as const,
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'nexus_analytics_events_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic, by the topic they came from.',
      labelNames: ['topic'] as const,
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'nexus_analytics_consumer_lag',
      help: 'Messages not yet committed by the analytics consumer group, per topic partition.',
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
      // Measured on scrape, so it is as fresh as the scrape.
      async collect() {
        const admin = lagSource.admin();
        if (!admin) return;
        this.reset();
        for (const { topic, partition, lag } of await consumerLag(admin, lagSource.groupId)) {
          this.set({ topic, partition: String(partition) }, lag);
        }
      },
    });
  }
}
