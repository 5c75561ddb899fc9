import { z } from 'zod';
import {
  baseEnvSchema,
  envBoolean,
  envPort,
  loadConfig,
  serviceAddressesEnvSchema,
} from '@nexus/config';
import type { ServiceConfig } from '@nexus/runtime';

const workEnvSchema = baseEnvSchema.extend(serviceAddressesEnvSchema.shape).extend({
  BIND_HOST: z.string().default('0.0.0.0'),
  WORK_GRPC_PORT: envPort(50054),
  WORK_HTTP_PORT: envPort(8084),
  MIGRATE_ON_START: envBoolean(true),
});

export interface WorkConfig {
  service: ServiceConfig;
  /** host:port of the users service, for assignee and member lookups. */
  usersAddress: string;
}

/** The work service's configuration, from the environment, validated once. */
export function workConfig(env: Record<string, string | undefined> = process.env): WorkConfig {
  const parsed = loadConfig(workEnvSchema, env);
  return {
    service: {
      env: parsed,
      host: parsed.BIND_HOST,
      grpcPort: parsed.WORK_GRPC_PORT,
      httpPort: parsed.WORK_HTTP_PORT,
      migrateOnStart: parsed.MIGRATE_ON_START,
    },
    usersAddress: parsed.USERS_GRPC_ADDRESS,
  };
}
