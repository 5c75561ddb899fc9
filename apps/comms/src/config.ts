import {
  baseEnvSchema,
  envBoolean,
  envPort,
  loadConfig,
  serviceAddressesEnvSchema,
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
  usersAddress: string;
  /** Undefined when attachments are checked for format only. */
  contentAddress: string | undefined;
}

/** The comms service's configuration, from the environment, validated once. */
export function commsConfig(env: Record<string, string | undefined> = process.env): CommsConfig {
  const parsed = loadConfig(commsEnvSchema, env);
  return {
    service: serviceConfig(parsed, {
      grpcPort: parsed.COMMS_GRPC_PORT,
      httpPort: parsed.COMMS_HTTP_PORT,
    }),
    usersAddress: parsed.USERS_GRPC_ADDRESS,
    contentAddress: parsed.CONTENT_ATTACHMENT_CHECK ? parsed.CONTENT_GRPC_ADDRESS : undefined,
  };
}
