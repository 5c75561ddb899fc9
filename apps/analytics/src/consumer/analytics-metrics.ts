import { Counter, type Registry } from 'prom-client';

/**
 * The consumer's own metrics, beside the service's (ServiceMetrics, which
 * also has the group's lag: `nexus_consumer_lag`).
 */
export class AnalyticsMetrics {
  readonly eventsApplied: Counter<'type'>;
  readonly deadLettered: Counter<'topic'>;

  constructor(registry: Registry) {
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
  }
}
