import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import {
  grpcServerTls,
  kafkaSecurity,
  kafkaTopicSettings,
  pageTokenSecret,
  type BaseEnv,
} from '@nexus/config';
import {
  EPHEMERAL_EVENTS,
  PageTokenCodec,
  classifyDatabaseError,
  createDataSource,
  guardPoolConnections,
  migrate,
  migrationState,
  type Aggregate,
  type EntityClass,
  type MigrationClass,
} from '@nexus/db';
import {
  ChangeFeed,
  EphemeralPublisher,
  OutboxRelay,
  createKafka,
  kafkaReachable,
  measureOutboxBacklog,
  type Kafka,
  type RunningConsumer,
} from '@nexus/events';
import {
  RpcKit,
  TokenRevocations,
  TokenVerifier,
  startGrpcServer,
  type ServiceBinding,
} from '@nexus/grpc';
import { ServiceMetrics, createLogger, startOpsServer, stopTracing, type Logger } from '@nexus/ops';
import type { Stoppable } from './periodic-job';
import { LiveStreams } from './live-streams';
import { followTokenRevocations } from './token-revocation-feed';

/** The configuration every service has, whatever its own settings. */
export interface ServiceConfig {
  env: BaseEnv;
  host: string;
  /** Ignored when the spec has no gRPC server (`grpc: false`). */
  grpcPort: number;
  httpPort: number;
  /** Apply pending migrations at start (development and tests; a Job does it in production). */
  migrateOnStart: boolean;
}

/** The ServiceConfig of a parsed environment, given the service's own ports. */
export function serviceConfig(
  env: BaseEnv,
  ports: { grpcPort: number; httpPort: number },
): ServiceConfig {
  return { env, host: env.BIND_HOST, migrateOnStart: env.MIGRATE_ON_START, ...ports };
}

/** The parts a service's own code is built from. */
export interface ServiceRuntime {
  logger: Logger;
  dataSource: DataSource;
  kafka: Kafka;
  rpc: RpcKit;
  /** The access-token check RpcKit uses, for a service's own HTTP API. */
  verifier: TokenVerifier;
  pageTokens: PageTokenCodec;
  metrics: ServiceMetrics;
  /** Serves the service's Watch RPCs from its change feed (ServiceSpec.live). */
  live: LiveStreams;
  /** Publishes the service's ephemeral signals (EPHEMERAL_EVENTS: typing), which live streams carry. */
  signals: EphemeralPublisher;
}

export interface ServiceSpec {
  /** e.g. `users`; names the logs, metrics and Kafka client. */
  name: string;
  schema: string;
  entities: EntityClass[];
  migrations: MigrationClass[];
  /** Aggregates whose events the relay publishes (their topics are created up front). */
  aggregates: Aggregate<never>[];
  /** Builds the gRPC services from the runtime. */
  bind: (runtime: ServiceRuntime) => ServiceBinding[];
  /** False for a service without a gRPC server (an HTTP-only service such as analytics). */
  grpc?: boolean;
  /** Adds the service's own HTTP routes to the ops server (its HTTP API, pages). */
  routes?: (app: Express, runtime: ServiceRuntime) => void;
  /** Starts the service's event consumers, if it has any. */
  consume?: (runtime: ServiceRuntime) => Promise<RunningConsumer[]>;
  /** Starts background work (periodic jobs); stopped before the database closes. */
  background?: (runtime: ServiceRuntime) => Stoppable[];
  /**
   * Follows the service's own change events in every replica, for its Watch
   * RPCs (runtime.live); off by default, as it costs a Kafka consumer per
   * replica.
   */
  live?: boolean;
  /** Runs once the gRPC server listens and before the service reports ready (e.g. bootstrap data). */
  afterStart?: (runtime: ServiceRuntime) => Promise<void>;
}

export interface RunningService {
  /** 0 when the service has no gRPC server. */
  grpcPort: number;
  httpPort: number;
  runtime: ServiceRuntime;
  stop(): Promise<void>;
}

/**
 * Starts a service the one way every service starts: data source and
 * migrations, outbox relay, consumers, gRPC server with health and
 * reflection, and the ops HTTP server. stop() undoes it in reverse order.
 */
export async function startService(
  spec: ServiceSpec,
  config: ServiceConfig,
): Promise<RunningService> {
  const { env } = config;
  const logger = createLogger({ service: spec.name, level: env.LOG_LEVEL });
  const metrics = new ServiceMetrics(spec.name);
  const dataSource = createDataSource({
    url: env.DATABASE_URL,
    schema: spec.schema,
    entities: spec.entities,
    migrations: spec.migrations,
    poolSize: env.DATABASE_POOL_SIZE,
    maxOverflow: env.DATABASE_MAX_OVERFLOW,
    sqlEcho: env.SQL_ECHO,
    applicationName: `nexus-${spec.name}`,
  });
  await dataSource.initialize();
  guardPoolConnections(dataSource, (error) =>
    logger.warn({ code: (error as { code?: string }).code }, 'the database ended a connection'),
  );
  if (config.migrateOnStart) {
    const applied = await migrate(dataSource, { searchLanguage: env.SEARCH_LANGUAGE });
    if (applied.length > 0) logger.info({ applied }, 'applied migrations');
  }

  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `nexus-${spec.name}`,
    logger,
    security: kafkaSecurity(env),
    topics: kafkaTopicSettings(env),
  });
  const topics = [...new Set(spec.aggregates.map((aggregate) => aggregate.topic))];
  const relay = new OutboxRelay({
    databaseUrl: env.DATABASE_URL,
    schema: spec.schema,
    kafka,
    logger,
    topics,
    onPublished: (count, lagSeconds) => metrics.recordPublished(count, lagSeconds),
    changeLogRetentionMs: env.CHANGE_LOG_RETENTION_HOURS * 3_600_000,
  });
  relay.start();
  metrics.watchOutbox(
    spec.schema,
    () => measureOutboxBacklog(dataSource, spec.schema),
    () => relay.status === 'leader',
  );

  // Tokens voided before they expire: replayed up to now before anything
  // serves, then followed live (docs/security.md, Revocation).
  const revocations = new TokenRevocations(tokenLifetimeMs(env));
  const revocationFeed = await followTokenRevocations({
    kafka,
    logger,
    service: spec.name,
    revocations,
    windowMs: tokenLifetimeMs(env),
  });
  await revocationFeed.caughtUp;
  const verifier = new TokenVerifier(env.JWT_PUBLIC_KEY, revocations);
  const feed = spec.live
    ? await ChangeFeed.start({
        kafka,
        logger,
        service: spec.name,
        // Its ephemeral signals' topics too: streams carry them with the changes.
        topics: [...topics, ...ephemeralTopicsOf(spec.name)],
        db: dataSource,
        schema: spec.schema,
      })
    : null;
  const live = new LiveStreams(spec.name, feed, verifier, {
    bufferLimit: env.WATCH_BUFFER_LIMIT,
  });
  const signals = new EphemeralPublisher(kafka, spec.name);

  const runtime: ServiceRuntime = {
    logger,
    dataSource,
    kafka,
    metrics,
    verifier,
    live,
    signals,
    pageTokens: new PageTokenCodec(pageTokenSecret(env)),
    rpc: new RpcKit({
      verifier,
      logger,
      classify: classifyDatabaseError,
      observe: (path, code, seconds) => metrics.observeRpc(path, code, seconds),
    }),
  };
  const consumers = (await spec.consume?.(runtime)) ?? [];
  for (const consumer of consumers) metrics.watchConsumerLag(consumer.groupId, consumer.lag);
  const background = spec.background?.(runtime) ?? [];
  const grpc =
    spec.grpc === false
      ? { port: 0, shutdown: async () => undefined }
      : await startGrpcServer({
          host: config.host,
          port: config.grpcPort,
          services: spec.bind(runtime),
          logger,
          tls: grpcServerTls(env),
        });
  // Before /readyz answers: a caller that sees the service ready can rely on
  // what this sets up (the first admin, say).
  await spec.afterStart?.(runtime);
  const ops = await startOpsServer({
    host: config.host,
    port: config.httpPort,
    registry: metrics.registry,
    routes: spec.routes && ((app) => spec.routes?.(app, runtime)),
    checks: [
      {
        name: 'database',
        check: async () => ({ ok: (await dataSource.query('SELECT 1')) !== undefined }),
      },
      {
        name: 'migrations',
        check: async () => {
          const { pending } = await migrationState(dataSource);
          return pending.length === 0
            ? { ok: true }
            : { ok: false, detail: `pending: ${pending.join(', ')}` };
        },
      },
      // Not critical: while the broker is away, writes wait in the outbox.
      { name: 'kafka', critical: false, check: () => kafkaReachable(kafka) },
      {
        name: 'outbox-relay',
        critical: false,
        check: async () => ({ ok: true, detail: relay.status }),
      },
    ],
  });
  logger.info({ grpcPort: grpc.port, httpPort: ops.port }, `${spec.name} service started`);

  return {
    grpcPort: grpc.port,
    httpPort: ops.port,
    runtime,
    stop: async () => {
      // Watches never end by themselves: end them first, so clients resume elsewhere.
      live.endAll();
      await feed?.stop();
      await grpc.shutdown();
      await signals.stop();
      await Promise.all([...consumers, ...background].map((part) => part.stop()));
      await revocationFeed.stop();
      await relay.stop();
      await ops.close();
      await dataSource.destroy();
      logger.info(`${spec.name} service stopped`);
    },
  };
}

/** The topics of a service's ephemeral signals (`nexus.<service>.<name>`). */
function ephemeralTopicsOf(service: string): string[] {
  return Object.keys(EPHEMERAL_EVENTS).filter((topic) => topic.split('.')[1] === service);
}

/**
 * The longest a token can live: its lifetime plus the verifier's clock
 * tolerance and a minute of margin for skew between the users service and
 * the broker's timestamps.
 */
function tokenLifetimeMs(env: BaseEnv): number {
  return (env.ACCESS_TOKEN_TTL_SECONDS + 65) * 1000;
}

/** For main.ts: start, and stop cleanly on SIGINT/SIGTERM. */
export function runUntilSignalled(start: () => Promise<RunningService>): void {
  start().then(
    (service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        service.runtime.logger.info({ signal }, 'stopping');
        // The last spans (the stop's own included) are exported before exit.
        service
          .stop()
          .then(stopTracing)
          .then(
            () => process.exit(0),
            (error: unknown) => {
              service.runtime.logger.error({ err: error }, 'unclean stop');
              process.exit(1);
            },
          );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (error: unknown) => {
      process.stderr.write(
        `failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
