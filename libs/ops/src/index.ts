// Operations: JSON logging, Prometheus metrics and the /healthz, /readyz, /metrics HTTP server.
export { createLogger, type Logger } from './logger';
export { ServiceMetrics, type OutboxBacklog, type PartitionLag } from './metrics';
export { type ProbeTiming } from './sampled-probe';
export { startOpsServer, type OpsServer, type ReadinessCheck } from './ops-server';
