import { parseEnv, baseEnvSchema } from '@nexus/config';
import {
  startService,
  type RunningService,
  type ServiceConfig,
  type ServiceSpec,
} from '@nexus/runtime';

/** Service configuration for a test: the run's database and broker, free ports on loopback. */
export function testServiceConfig(): ServiceConfig {
  return {
    env: parseEnv(baseEnvSchema, process.env),
    host: '127.0.0.1',
    grpcPort: 0,
    httpPort: 0,
    migrateOnStart: true,
  };
}

/** Starts a service on 127.0.0.1 with ephemeral ports; stop it in afterAll. */
export function startTestService(
  spec: ServiceSpec,
  config: ServiceConfig = testServiceConfig(),
): Promise<RunningService> {
  return startService(spec, config);
}
