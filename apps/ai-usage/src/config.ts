import { baseEnvSchema, envBoolean, envPort, loadConfig } from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';

const aiUsageEnvSchema = baseEnvSchema.extend({
  AI_USAGE_GRPC_PORT: envPort(50055),
  AI_USAGE_HTTP_PORT: envPort(8085),
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
    service: serviceConfig(parsed, {
      grpcPort: parsed.AI_USAGE_GRPC_PORT,
      httpPort: parsed.AI_USAGE_HTTP_PORT,
    }),
    capturePrompts: parsed.AI_USAGE_CAPTURE_PROMPTS,
  };
}
