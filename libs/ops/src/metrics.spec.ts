import { ServiceMetrics } from './metrics';

/** The sample lines of one metric family in the exposition text. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('ServiceMetrics', () => {
  const timing = { maxAgeMs: 60_000, timeoutMs: 200 };

  it('names every metric as promtool requires: counters end in _total, nothing else does', async () => {
    const metrics = new ServiceMetrics('users');
    const families = await metrics.registry.getMetricsAsJSON();
    expect(families.length).toBeGreaterThan(10);
    for (const { name, type } of families) {
      expect([name, name.endsWith('_total')]).toEqual([name, String(type) === 'counter']);
    }
    // The defaults' per-type gauges stay: they carry what the refused sums did.
    expect(families.map((family) => family.name)).toContain('nodejs_active_handles');
  });

  it('records calls under the OpenTelemetry RPC names, error_type only for server faults', async () => {
    const metrics = new ServiceMetrics('users');
    metrics.observeRpc('/nexus.users.v1.UserService/GetUser', 'OK', 0.004);
    metrics.observeRpc('/nexus.users.v1.UserService/GetUser', 'NOT_FOUND', 0.002);
    metrics.observeRpc('/nexus.users.v1.UserService/GetUser', 'INTERNAL', 0.3);
    const text = await metrics.registry.metrics();
    expect(samples(text, 'rpc_server_call_duration_seconds_count')).toEqual([
      'rpc_server_call_duration_seconds_count{service="users",rpc_system_name="grpc",rpc_method="nexus.users.v1.UserService/GetUser",rpc_response_status_code="OK"} 1',
      'rpc_server_call_duration_seconds_count{service="users",rpc_system_name="grpc",rpc_method="nexus.users.v1.UserService/GetUser",rpc_response_status_code="NOT_FOUND"} 1',
      'rpc_server_call_duration_seconds_count{service="users",rpc_system_name="grpc",rpc_method="nexus.users.v1.UserService/GetUser",rpc_response_status_code="INTERNAL",error_type="INTERNAL"} 1',
    ]);
    expect(text).toContain(
      'rpc_server_call_duration_seconds_bucket{le="0.005",service="users",rpc_system_name="grpc",rpc_method="nexus.users.v1.UserService/GetUser",rpc_response_status_code="OK"} 1',
    );
  });

  it('shows the outbox backlog, relay leadership and lag once watched, measuring once per scrape', async () => {
    const metrics = new ServiceMetrics('work', timing);
    const before = await metrics.registry.metrics();
    expect(samples(before, 'nexus_outbox_pending_events')).toEqual([]);
    expect(samples(before, 'nexus_outbox_relay_leader')).toEqual([]);

    let measured = 0;
    let leader = false;
    metrics.watchOutbox(
      'work',
      async () => {
        measured += 1;
        return { pending: 42, oldestAgeSeconds: 7.5 };
      },
      () => leader,
    );
    metrics.recordPublished(3, 0.25);
    leader = true;
    const text = await metrics.registry.metrics();
    expect(samples(text, 'nexus_outbox_pending_events')).toEqual([
      'nexus_outbox_pending_events{schema="work",service="work"} 42',
    ]);
    expect(samples(text, 'nexus_outbox_oldest_pending_age_seconds')).toEqual([
      'nexus_outbox_oldest_pending_age_seconds{schema="work",service="work"} 7.5',
    ]);
    expect(samples(text, 'nexus_outbox_relay_leader')).toEqual([
      'nexus_outbox_relay_leader{schema="work",service="work"} 1',
    ]);
    expect(samples(text, 'nexus_outbox_relay_lag_seconds')).toEqual([
      'nexus_outbox_relay_lag_seconds{service="work"} 0.25',
    ]);
    expect(samples(text, 'nexus_outbox_events_published_total')).toEqual([
      'nexus_outbox_events_published_total{service="work"} 3',
    ]);
    expect(measured).toBe(1);
  });

  it('leaves a gauge out, rather than showing 0, when its measurement fails, and counts the failure', async () => {
    const metrics = new ServiceMetrics('content', timing);
    metrics.watchOutbox(
      'content',
      async () => Promise.reject(new Error('database unavailable')),
      () => true,
    );
    metrics.watchConsumerLag('nexus-content', () => new Promise(() => undefined));
    const text = await metrics.registry.metrics();
    expect(samples(text, 'nexus_outbox_pending_events')).toEqual([]);
    expect(samples(text, 'nexus_consumer_lag')).toEqual([]);
    // Counted as the probes fail, so the scrape's own counter text may predate them.
    const failures = await metrics.registry.getSingleMetricAsString(
      'nexus_metrics_probe_failures_total',
    );
    expect(samples(failures, 'nexus_metrics_probe_failures_total').sort()).toEqual([
      'nexus_metrics_probe_failures_total{probe="consumer:nexus-content",service="content"} 1',
      // Both backlog gauges read the one failed measurement: one failure.
      'nexus_metrics_probe_failures_total{probe="outbox",service="content"} 1',
    ]);
  });

  it('shows each consumer group lag per topic partition', async () => {
    const metrics = new ServiceMetrics('comms', timing);
    metrics.watchConsumerLag('nexus-comms', async () => [
      { topic: 'nexus.users.user', partition: 0, lag: 0 },
      { topic: 'nexus.users.user', partition: 1, lag: 12 },
    ]);
    const text = await metrics.registry.metrics();
    expect(samples(text, 'nexus_consumer_lag')).toEqual([
      'nexus_consumer_lag{group="nexus-comms",topic="nexus.users.user",partition="0",service="comms"} 0',
      'nexus_consumer_lag{group="nexus-comms",topic="nexus.users.user",partition="1",service="comms"} 12',
    ]);
  });
});
