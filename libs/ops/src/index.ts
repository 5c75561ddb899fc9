// Operations: JSON logging, Prometheus metrics and the /healthz, /readyz, /metrics HTTP server.
export { createLogger, type Logger } from './logger';
export { ServiceMetrics } from './metrics';
export { startOpsServer, type OpsServer, type ReadinessCheck } from './ops-server';
