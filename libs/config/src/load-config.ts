import type { z } from 'zod';
import { kafkaTopicEnvProblems } from './kafka-topics';
import { tlsEnvProblems, type TlsEnv } from './tls-env';

/** Thrown when the environment does not parse; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the environment once into a typed object. Empty strings count as
 * unset, so `FOO=` falls back to the default instead of failing oddly.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) {
    // Checks across variables run here rather than as a refinement of
    // baseEnvSchema, which would forbid services to .extend() it freely.
    // For a schema without the TLS variables they find nothing.
    const problems = [
      ...tlsEnvProblems(result.data as Partial<TlsEnv> as TlsEnv),
      ...kafkaTopicEnvProblems(result.data),
    ];
    if (problems.length === 0) return result.data;
    throw new ConfigError(problems.map(({ variable, message }) => `${variable}: ${message}`));
  }
  throw new ConfigError(
    result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    ),
  );
}

/** parseEnv for a process entry point: a bad environment stops the process. */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  try {
    return parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
