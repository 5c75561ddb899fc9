import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * The OpenTelemetry SDK with the gRPC (server and client) and pg
 * instrumentations. Loaded by startTracing only when tracing is on, so a
 * service without an endpoint never loads it. Everything else (exporter
 * protocol, sampler, batching, resource attributes) comes from the standard
 * OTEL_* variables, which the SDK reads itself.
 */
export function startSdk(serviceName: string | undefined): { shutdown(): Promise<void> } {
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: [
      new GrpcInstrumentation(),
      // A query outside any span (the relay's polling, health checks) is no trace of its own.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
    // Traces only: metrics stay on /metrics (Prometheus) and logs on stdout.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return sdk;
}
