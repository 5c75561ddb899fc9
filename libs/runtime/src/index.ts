// How every service starts and stops: one bootstrap wiring the shared kit.
export {
  runUntilSignalled,
  startService,
  type RunningService,
  type ServiceConfig,
  type ServiceRuntime,
  type ServiceSpec,
} from './service-runtime';
