import { z } from 'zod';
import { baseEnvSchema, envBoolean, envPort, loadConfig } from '@nexus/config';
import { serviceConfig, type ServiceConfig } from '@nexus/runtime';

const aiUsageEnvSchema = baseEnvSchema.extend({
  AI_USAGE_GRPC_PORT: envPort(50055),
  AI_USAGE_HTTP_PORT: envPort(8085),
  // Off by default in every environment: prompts hold personal data, so
  // keeping them is a deliberate deployment decision.
  AI_USAGE_CAPTURE_PROMPTS: envBoolean(false),
  // The key of the prompt and response HMACs. Without a key, a hash of a
  // short prompt confirms anybody's guess of it.
  AI_PROMPT_HASH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

type AiUsageEnv = z.output<typeof aiUsageEnvSchema>;

/** Development only: tests and local stacks get equal hashes for equal texts without setup. */
const DEVELOPMENT_PROMPT_HASH_SECRET = 'nexus-development-prompt-hash-secret-not-for-production';

export interface AiUsageConfig {
  service: ServiceConfig;
  /** Keep prompt and response text; when off only their lengths and HMACs are stored. */
  capturePrompts: boolean;
  /** The HMAC-SHA-256 key of prompt and response hashes. */
  promptHashSecret: string;
}

/** The prompt-hash key: required in production, a fixed one in development (as PAGE_TOKEN_SECRET). */
function promptHashSecret(env: AiUsageEnv): string {
  if (env.AI_PROMPT_HASH_SECRET) return env.AI_PROMPT_HASH_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new Error('AI_PROMPT_HASH_SECRET: required when NODE_ENV=production');
  }
  return DEVELOPMENT_PROMPT_HASH_SECRET;
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
    promptHashSecret: promptHashSecret(parsed),
  };
}
