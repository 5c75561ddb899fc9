import { z } from 'zod';
import { baseEnvSchema, envBoolean, envPort, loadConfig } from '@nexus/config';
import type { ServiceConfig } from '@nexus/runtime';

const aiUsageEnvSchema = baseEnvSchema.extend({
  BIND_HOST: z.string().default('0.0.0.0'),
  AI_USAGE_GRPC_PORT: envPort(50055),
  AI_USAGE_HTTP_PORT: envPort(8085),
  MIGRATE_ON_START: envBoolean(true),
  // Off by default in every environment: prompts hold personal data, so
  // keeping them is a deliberate deployment decision.
  AI_USAGE_CAPTURE_PROMPTS: envBoolean(false),
});

export interface AiUsageConfig {
  service: ServiceConfig;
  /** Keep prompt and response text; when off only their lengths and SHA-256 are stored. */
  capturePrompts: boolean;
}

/** The ai-usage service's configuration, from the environment, validated once. */
export function aiUsageConfig(
  env: Record<string, string | undefined> = process.env,
): AiUsageConfig {
  const parsed = loadConfig(aiUsageEnvSchema, env);
  return {
    service: {
      env: parsed,
      host: parsed.BIND_HOST,
      grpcPort: parsed.AI_USAGE_GRPC_PORT,
      httpPort: parsed.AI_USAGE_HTTP_PORT,
      migrateOnStart: parsed.MIGRATE_ON_START,
    },
    capturePrompts: parsed.AI_USAGE_CAPTURE_PROMPTS,
  };
}
