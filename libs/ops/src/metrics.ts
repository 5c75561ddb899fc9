import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DEFAULT_PROBE_TIMING, SampledProbe, type ProbeTiming } from './sampled-probe';

/** What the outbox holds that the relay has not published yet. */
export interface OutboxBacklog {
  /** Rows waiting in the outbox. */
  pending: number;
  /** Age of the oldest waiting row's event, 0 when none waits. */
  oldestAgeSeconds: number;
}

/** Messages of one topic partition a consumer group has not committed yet. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * prom-client's default gauges that `promtool check metrics` refuses (a
 * gauge may not end in `_total`). Each is the sum over `type` of a gauge the
 * defaults also export (`nodejs_active_handles{type}` and so on), so nothing
 * is lost: `sum(nodejs_active_handles)` answers the same question.
 */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * gRPC status codes that mean the server failed, as the OpenTelemetry gRPC
 * conventions list them for a server; the others (NOT_FOUND, INVALID_ARGUMENT...)
 * are the caller's and get no `error_type`.
 */
const SERVER_ERROR_CODES = new Set([
  'UNKNOWN',
  'DEADLINE_EXCEEDED',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
]);

type RpcLabel = 'rpc_system_name' | 'rpc_method' | 'rpc_response_status_code' | 'error_type';

/**
 * The metrics every service exposes on GET /metrics (docs/operations.md,
 * "Metrics and alerts"). Measurements that need the database or the broker
 * are taken on scrape through sources the runtime registers (watch*), shared
 * and time-boxed so a scrape stays cheap and never fails for them.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  /** OpenTelemetry `rpc.server.call.duration` (unit s) under its Prometheus name. */
  private readonly rpcDuration = new Histogram<RpcLabel>({
    name: 'rpc_server_call_duration_seconds',
    help: 'Duration of incoming RPCs, by fully qualified method and gRPC status code.',
    labelNames: ['rpc_system_name', 'rpc_method', 'rpc_response_status_code', 'error_type'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'nexus_outbox_events_published_total',
    help: 'Change events the outbox relay has published to Kafka.',
    registers: [this.registry],
  });

  private readonly relayLag = new Gauge({
    name: 'nexus_outbox_relay_lag_seconds',
    help: 'How long the oldest event of the last published batch waited in the outbox.',
    registers: [this.registry],
  });

  private readonly probeFailures = new Counter<'probe'>({
    name: 'nexus_metrics_probe_failures_total',
    help: 'Scrape-time measurements that failed or timed out (their gauges were left out).',
    labelNames: ['probe'],
    registers: [this.registry],
  });

  private outbox: {
    schema: string;
    backlog: SampledProbe<OutboxBacklog>;
    isRelayLeader: () => boolean;
  } | null = null;
  private readonly consumers = new Map<string, SampledProbe<PartitionLag[]>>();

  constructor(
    service: string,
    private readonly timing: ProbeTiming = DEFAULT_PROBE_TIMING,
  ) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    this.registerOutboxGauges();
    this.registerConsumerLagGauge();
  }

  /**
   * Records one finished call. `path` is the gRPC path, `/package.Service/Method`;
   * `code` the status code's name (`OK`, `NOT_FOUND`...).
   */
  observeRpc(path: string, code: string, seconds: number): void {
    this.rpcDuration.observe(
      {
        rpc_system_name: 'grpc',
        rpc_method: path.startsWith('/') ? path.slice(1) : path,
        rpc_response_status_code: code,
        ...(SERVER_ERROR_CODES.has(code) ? { error_type: code } : {}),
      },
      seconds,
    );
  }

  /** One batch the relay published, and how long its oldest event had waited. */
  recordPublished(count: number, lagSeconds: number): void {
    this.eventsPublished.inc(count);
    this.relayLag.set(lagSeconds);
  }

  /**
   * How to measure the backlog of a schema's outbox (a bounded query), and
   * whether this replica's relay is the one publishing it.
   */
  watchOutbox(
    schema: string,
    measure: () => Promise<OutboxBacklog>,
    isRelayLeader: () => boolean,
  ): void {
    this.outbox = { schema, backlog: this.probe('outbox', measure), isRelayLeader };
  }

  /** How to measure a consumer group's lag (Kafka admin requests, a few per topic). */
  watchConsumerLag(group: string, measure: () => Promise<PartitionLag[]>): void {
    this.consumers.set(group, this.probe(`consumer:${group}`, measure));
  }

  private registerOutboxGauges(): void {
    // Labelled by schema so that a gauge nobody measures (or whose
    // measurement failed) is absent rather than a misleading 0. Both backlog
    // gauges read one measurement: the probe serves the second from its cache.
    const watched = () => this.outbox;
    const backlogGauge = (name: string, help: string, pick: (b: OutboxBacklog) => number) =>
      new Gauge<'schema'>({
        name,
        help,
        labelNames: ['schema'],
        registers: [this.registry],
        async collect() {
          const outbox = watched();
          const backlog = await outbox?.backlog.read();
          this.reset();
          if (outbox && backlog) this.set({ schema: outbox.schema }, pick(backlog));
        },
      });
    backlogGauge(
      'nexus_outbox_pending_events',
      'Events in the outbox not yet published (exact up to 10,000, estimated from the id range beyond).',
      (backlog) => backlog.pending,
    );
    backlogGauge(
      'nexus_outbox_oldest_pending_age_seconds',
      'Age of the oldest event in the outbox not yet published; 0 when it is empty.',
      (backlog) => backlog.oldestAgeSeconds,
    );
    new Gauge<'schema'>({
      name: 'nexus_outbox_relay_leader',
      help: "1 while this replica's outbox relay holds its schema's relay lock, else 0.",
      labelNames: ['schema'],
      registers: [this.registry],
      collect() {
        const outbox = watched();
        this.reset();
        if (outbox) this.set({ schema: outbox.schema }, outbox.isRelayLeader() ? 1 : 0);
      },
    });
  }

  private registerConsumerLagGauge(): void {
    const consumers = this.consumers;
    new Gauge<'group' | 'topic' | 'partition'>({
      name: 'nexus_consumer_lag',
      help: 'Messages a consumer group has not committed yet, per topic partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
      async collect() {
        const measured = await Promise.all(
          [...consumers].map(async ([group, probe]) => ({ group, lags: await probe.read() })),
        );
        this.reset();
        for (const { group, lags } of measured) {
          for (const { topic, partition, lag } of lags ?? []) {
            this.set({ group, topic, partition: String(partition) }, lag);
          }
        }
      },
    });
  }

  private probe<T>(name: string, measure: () => Promise<T>): SampledProbe<T> {
    return new SampledProbe(measure, this.timing, () => this.probeFailures.inc({ probe: name }));
  }
}
