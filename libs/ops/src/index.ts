// Operations: JSON logging, Prometheus metrics, OpenTelemetry tracing and the /healthz, /readyz, /metrics HTTP server.
export { createLogger, type Logger } from './logger';
export { ServiceMetrics, type OutboxBacklog, type PartitionLag } from './metrics';
export { type ProbeTiming } from './sampled-probe';
export { startOpsServer, type OpsServer, type ReadinessCheck } from './ops-server';
export {
  SpanKind,
  activeTraceparent,
  formatTraceparent,
  inSpan,
  parseTraceparent,
  startSpan,
  startTracing,
  stopTracing,
  traceLogFields,
  tracingEnabled,
  type OpenSpan,
  type SpanOptions,
} from './tracing';
