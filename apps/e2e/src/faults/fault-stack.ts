import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freePorts,
  startKafka,
  startPostgres,
  type KafkaNode,
  type RunningKafka,
  type RunningPostgres,
} from '@nexus/stack';
import { startAppProcess, type AppProcess } from '@nexus/testing';
import { startPlatform, type Platform, type ServiceName } from '../platform';

/** The analytics process's consumer group, whose processed_events the run counts. */
export const ANALYTICS_GROUP = 'faults-analytics';

/**
 * The faults run's own PostgreSQL and Kafka (persistent data dirs on fixed
 * ports, so either can be killed and started again where it was), the five
 * gRPC services and the analytics consumer as processes on them. The run's
 * shared stack (jest global setup) is not used: this one gets broken on purpose.
 */
export class FaultStack {
  /** Service processes started after the platform (restarts, replicas), stopped at the end. */
  private readonly extra: AppProcess[] = [];

  private constructor(
    private readonly dir: string,
    private readonly ports: { postgres: number; kafka: number; controller: number },
    private readonly kafkaBrokers: number,
    public postgres: RunningPostgres | null,
    public kafka: RunningKafka | null,
    /** What every service process is started with: this stack, its keys, quiet logs. */
    readonly env: Record<string, string>,
    readonly platform: Platform,
    readonly analytics: AppProcess,
  ) {}

  /** `kafkaBrokers`: nodes of the Kafka cluster (default 1); topics then get 3 replicas, 2 in sync. */
  static async start(options: { kafkaBrokers?: number } = {}): Promise<FaultStack> {
    const kafkaBrokers = options.kafkaBrokers ?? 1;
    const dir = await mkdtemp(path.join(tmpdir(), 'nexus-faults-'));
    const [postgresPort, kafkaPort, controller] = await freePorts(3);
    const ports = { postgres: postgresPort, kafka: kafkaPort, controller };
    const started = await Promise.allSettled([
      startPostgres({
        dataDir: path.join(dir, 'postgres'),
        port: ports.postgres,
        ephemeral: false,
      }),
      startKafka({
        dataDir: path.join(dir, 'kafka'),
        port: ports.kafka,
        controllerPort: ports.controller,
        brokers: kafkaBrokers,
        ephemeral: false,
      }),
    ]);
    const [pg, broker] = started;
    if (pg.status === 'rejected' || broker.status === 'rejected') {
      // The one that did start must not outlive the run.
      await Promise.allSettled(
        started.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop()] : [])),
      );
      await rm(dir, { recursive: true, force: true });
      throw pg.status === 'rejected' ? pg.reason : (broker as PromiseRejectedResult).reason;
    }
    const [postgres, kafka] = [pg.value, broker.value];
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const env = {
      DATABASE_URL: postgres.url,
      KAFKA_BROKERS: kafka.brokers,
      JWT_PRIVATE_KEY: keys.privateKey,
      JWT_PUBLIC_KEY: keys.publicKey,
      NODE_ENV: 'test',
      MIGRATE_ON_START: 'true',
      // Outages make every service warn for as long as they last; errors still show.
      LOG_LEVEL: 'error',
    };
    const platform = await startPlatform(env);
    // After the services: their relays have created the topics it subscribes to.
    const analytics = await startAppProcess('analytics', {
      ...env,
      ANALYTICS_CONSUMER_GROUP: ANALYTICS_GROUP,
    });
    return new FaultStack(dir, ports, kafkaBrokers, postgres, kafka, env, platform, analytics);
  }

  /** Whether a process is still running: services must ride out a fault, not be restarted. */
  static isRunning(app: AppProcess): boolean {
    try {
      process.kill(app.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL;
  }

  get brokers(): string {
    return this.env.KAFKA_BROKERS;
  }

  /** The Kafka cluster's nodes (one unless started with more). */
  get kafkaNodes(): readonly KafkaNode[] {
    if (!this.kafka) throw new Error('Kafka is not running');
    return this.kafka.nodes;
  }

  /** The broker dies at once (SIGKILL): no clean shutdown, no flushed state. */
  async killKafka(): Promise<void> {
    const pid = Number(readFileSync(path.join(this.dir, 'kafka', 'broker.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await this.kafka?.stop();
    this.kafka = null;
  }

  /** The same broker again: same data dir, same port. */
  async startKafka(): Promise<void> {
    if (this.kafkaBrokers > 1)
      throw new Error('a cluster restarts one node at a time (kafkaNodes)');
    this.kafka = await startKafka({
      dataDir: path.join(this.dir, 'kafka'),
      port: this.ports.kafka,
      controllerPort: this.ports.controller,
      ephemeral: false,
    });
  }

  /** PostgreSQL's fast shutdown: open sessions are terminated, transactions rolled back. */
  async stopPostgres(): Promise<void> {
    await this.postgres?.stop();
    this.postgres = null;
  }

  /** The same cluster again: same data dir, same port. */
  async startPostgres(): Promise<void> {
    this.postgres = await startPostgres({
      dataDir: path.join(this.dir, 'postgres'),
      port: this.ports.postgres,
      ephemeral: false,
    });
  }

  /** Another process of `service` on the same database and broker (a restart or a replica). */
  async startService(service: ServiceName): Promise<AppProcess> {
    const { users, content } = this.platform.apps;
    const app = await startAppProcess(service, {
      ...this.env,
      USERS_GRPC_ADDRESS: users.grpcAddress,
      CONTENT_GRPC_ADDRESS: content.grpcAddress,
    });
    this.extra.push(app);
    return app;
  }

  async stop(): Promise<void> {
    // Killed, not stopped: after the crashes above their consumer groups still
    // count dead members, and a clean stop would wait out the session timeout.
    await Promise.allSettled(this.extra.map((app) => app.kill('SIGKILL')));
    await Promise.allSettled([this.analytics.stop(), this.platform.stop()]);
    await Promise.allSettled([this.kafka?.stop(), this.postgres?.stop()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}
