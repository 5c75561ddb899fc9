import { z } from 'zod';
import { postgresConnection } from './postgres-url';
import { kafkaTopicEnvShape } from './kafka-topics';
import { grpcClientTls, tlsEnvShape, type GrpcClientTls } from './tls-env';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envBoolean = (fallback: boolean) => booleanFlag.default(fallback);

export const envInt = (fallback: number, min = 0, max = 1_000_000) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const envPort = (fallback: number) => envInt(fallback, 0, 65535);

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
  .superRefine((url, ctx) => {
    // sslmode and its files, read as libpq would (postgres-url.ts).
    try {
      postgresConnection(url);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const pemKey = (kind: 'PUBLIC' | 'PRIVATE') =>
  z
    .string()
    .transform((v) => v.replace(/\\n/g, '\n'))
    .refine(
      (v) => v.includes(`-----BEGIN ${kind} KEY-----`),
      `must be a PEM ${kind.toLowerCase()} key`,
    );

/**
 * The languages a deployment may search in (SEARCH_LANGUAGE): PostgreSQL's
 * Snowball stemmers, or `simple` for no stemming (words match only as
 * written, accents aside).
 */
export const SEARCH_LANGUAGES = [
  'simple',
  'arabic',
  'armenian',
  'basque',
  'catalan',
  'danish',
  'dutch',
  'english',
  'finnish',
  'french',
  'german',
  'greek',
  'hindi',
  'hungarian',
  'indonesian',
  'irish',
  'italian',
  'lithuanian',
  'nepali',
  'norwegian',
  'portuguese',
  'romanian',
  'russian',
  'serbian',
  'spanish',
  'swedish',
  'tamil',
  'turkish',
  'yiddish',
] as const;
export type SearchLanguage = (typeof SEARCH_LANGUAGES)[number];

/** The stemming language of every Search… RPC, applied with the migrations (search-schema.ts). */
export const searchLanguageSchema = z.enum(SEARCH_LANGUAGES).default('english');

/**
 * The variables every service reads (see docs/architecture.md, Conventions).
 * DATABASE_URL and KAFKA_BROKERS are required here: `npm start` and the test
 * setup fill them in with the local stack they start when the user did not.
 */
export const baseEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Address the gRPC and HTTP servers listen on. */
  BIND_HOST: z.string().default('0.0.0.0'),
  /** Apply pending migrations at start (false where a migrate job runs them). */
  MIGRATE_ON_START: envBoolean(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: postgresUrl,
  SQL_ECHO: envBoolean(false),
  DATABASE_POOL_SIZE: envInt(10, 1, 500),
  DATABASE_MAX_OVERFLOW: envInt(20, 0, 500),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'must be host:port[,host:port...]'),
  // Partitions, replication, min.insync.replicas and retention of created topics (kafka-topics.ts).
  ...kafkaTopicEnvShape,
  /** Every public key whose tokens are valid, PEM blocks one after the other (rotation: docs/security.md). */
  JWT_PUBLIC_KEY: pemKey('PUBLIC'),
  /**
   * How long an access token lives. Users signs with it; every service keeps
   * a revocation as long as a token it voids can live, and replays that much
   * of the users topics at start.
   */
  ACCESS_TOKEN_TTL_SECONDS: envInt(900, 60, 86_400),
  PAGE_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SEARCH_LANGUAGE: searchLanguageSchema,
  /** How long published changes stay replayable for Watch cursors (the change log's retention). */
  CHANGE_LOG_RETENTION_HOURS: envInt(24, 1, 24 * 90),
  /** Changes a Watch stream may hold unsent before it is ended as too slow (RESOURCE_EXHAUSTED). */
  WATCH_BUFFER_LIMIT: envInt(1_000, 10, 100_000),
  // gRPC and Kafka TLS (tls-env.ts); PostgreSQL's is in DATABASE_URL.
  ...tlsEnvShape,
});

export const privateKeySchema = pemKey('PRIVATE');

export type BaseEnv = z.output<typeof baseEnvSchema>;

/** The page-token secret: required in production, a fixed one in development. */
export function pageTokenSecret(env: BaseEnv): string {
  if (env.PAGE_TOKEN_SECRET) return env.PAGE_TOKEN_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new Error('PAGE_TOKEN_SECRET: required when NODE_ENV=production');
  }
  return 'nexus-development-page-token-secret-not-for-production';
}

/**
 * Where the other services listen, for services that call them, and the
 * longest one call to each may take (a caller's shorter deadline cuts it
 * shorter). Defaults are the local stack's ports (docs/architecture.md, Services).
 */
export const serviceAddressesEnvSchema = z.object({
  USERS_GRPC_ADDRESS: z.string().default('127.0.0.1:50051'),
  CONTENT_GRPC_ADDRESS: z.string().default('127.0.0.1:50052'),
  USERS_GRPC_TIMEOUT_MS: envInt(5_000, 1, 600_000),
  CONTENT_GRPC_TIMEOUT_MS: envInt(5_000, 1, 600_000),
});

/** A peer service as a caller's configuration names it: its address and per-call timeout. */
export interface PeerEndpoint {
  address: string;
  timeoutMs: number;
  /** Undefined: plaintext (GRPC_TLS_CA unset). */
  tls?: GrpcClientTls;
}

/** The users and content services' endpoints, from the parsed `serviceAddressesEnvSchema`. */
export function peerEndpoints(env: z.output<typeof serviceAddressesEnvSchema> & BaseEnv): {
  users: PeerEndpoint;
  content: PeerEndpoint;
} {
  const tls = grpcClientTls(env);
  return {
    users: { address: env.USERS_GRPC_ADDRESS, timeoutMs: env.USERS_GRPC_TIMEOUT_MS, tls },
    content: { address: env.CONTENT_GRPC_ADDRESS, timeoutMs: env.CONTENT_GRPC_TIMEOUT_MS, tls },
  };
}
