import {
  baseEnvSchema,
  envBoolean,
  envPort,
  loadConfig,
  peerEndpoints,
  serviceAddressesEnvSchema,
  type PeerEndpoint,
} from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';

const commsEnvSchema = baseEnvSchema.extend(serviceAddressesEnvSchema.shape).extend({
  COMMS_GRPC_PORT: envPort(50053),
  COMMS_HTTP_PORT: envPort(8083),
  /** Ask the content service whether the caller may attach a file; off: format checks only. */
  CONTENT_ATTACHMENT_CHECK: envBoolean(true),
});

export interface CommsConfig {
  service: ServiceConfig;
  users: PeerEndpoint;
  /** Undefined when attachments are checked for format only. */
  content: PeerEndpoint | undefined;
}

/** The comms service's configuration, from the environment, validated once. */
export function commsConfig(env: Record<string, string | undefined> = process.env): CommsConfig {
  const parsed = loadConfig(commsEnvSchema, env);
  return {
    service: serviceConfig(parsed, {
      grpcPort: parsed.COMMS_GRPC_PORT,
      httpPort: parsed.COMMS_HTTP_PORT,
    }),
    users: peerEndpoints(parsed).users,
    content: parsed.CONTENT_ATTACHMENT_CHECK ? peerEndpoints(parsed).content : undefined,
  };
}
