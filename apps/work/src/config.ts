import {
  baseEnvSchema,
  envPort,
  loadConfig,
  peerEndpoints,
  serviceAddressesEnvSchema,
  type PeerEndpoint,
} from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';

const workEnvSchema = baseEnvSchema.extend(serviceAddressesEnvSchema.shape).extend({
  WORK_GRPC_PORT: envPort(50054),
  WORK_HTTP_PORT: envPort(8084),
});

export interface WorkConfig {
  service: ServiceConfig;
  /** The users service, for assignee and member lookups. */
  users: PeerEndpoint;
}

/** The work service's configuration, from the environment, validated once. */
export function workConfig(env: Record<string, string | undefined> = process.env): WorkConfig {
  const parsed = loadConfig(workEnvSchema, env);
  return {
    service: serviceConfig(parsed, {
      grpcPort: parsed.WORK_GRPC_PORT,
      httpPort: parsed.WORK_HTTP_PORT,
    }),
    users: peerEndpoints(parsed).users,
  };
}
