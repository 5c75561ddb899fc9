import { z } from 'zod';
import {
  baseEnvSchema,
  envBoolean,
  envPort,
  loadConfig,
  serviceAddressesEnvSchema,
} from '@nexus/config';
import type { ServiceConfig } from '@nexus/runtime';

const commsEnvSchema = baseEnvSchema.extend(serviceAddressesEnvSchema.shape).extend({
  BIND_HOST: z.string().default('0.0.0.0'),
  COMMS_GRPC_PORT: envPort(50053),
  COMMS_HTTP_PORT: envPort(8083),
  MIGRATE_ON_START: envBoolean(true),
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
    service: {
      env: parsed,
      host: parsed.BIND_HOST,
      grpcPort: parsed.COMMS_GRPC_PORT,
      httpPort: parsed.COMMS_HTTP_PORT,
      migrateOnStart: parsed.MIGRATE_ON_START,
    },
    usersAddress: parsed.USERS_GRPC_ADDRESS,
    contentAddress: parsed.CONTENT_ATTACHMENT_CHECK ? parsed.CONTENT_GRPC_ADDRESS : undefined,
  };
}
