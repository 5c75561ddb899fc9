// How every service starts and stops: one bootstrap wiring the shared kit.
export { startPeriodicJob, type Stoppable } from './periodic-job';
export {
  runUntilSignalled,
  serviceConfig,
  startService,
  type RunningService,
  type ServiceConfig,
  type ServiceRuntime,
  type ServiceSpec,
} from './service-runtime';
export { REVOCATION_TOPICS, followTokenRevocations, revocationOf } from './token-revocation-feed';
export { LiveStreams, type LiveStreamLimits, type WatchRules } from './live-streams';
