import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every service exposes on GET /metrics. */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly rpcDuration = new Histogram({
    name: 'nexus_grpc_server_handling_seconds',
    help: 'Time to handle a gRPC call, by method and status code.',
    labelNames: ['method', 'code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'nexus_outbox_events_published_total',
    help: 'Change events the outbox relay has published to Kafka.',
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }
}
