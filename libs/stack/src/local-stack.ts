import { readdir, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startKafka } from './kafka';
import { freePorts } from './ports';
import { startPostgres } from './postgres';

export interface LocalStackOptions {
  /** Parent folder: Postgres lives in <dataDir>/postgres, Kafka in <dataDir>/kafka. */
  dataDir: string;
  /** Delete the data on stop() (tests); otherwise it is kept for the next start. */
  ephemeral: boolean;
  /** Defaults to a free port. */
  postgresPort?: number;
  /** Defaults to a free port. */
  kafkaPort?: number;
  /** Kafka nodes (combined broker and controller each); default 1. */
  kafkaBrokers?: number;
  withPostgres: boolean;
  withKafka: boolean;
  /** Progress lines for humans (e.g. how long each service took); silent by default. */
  log?: (message: string) => void;
}

export interface LocalStack {
  databaseUrl?: string;
  kafkaBrokers?: string;
  /** Stops everything that was started; safe to call more than once. */
  stop(): Promise<void>;
}

async function timed<T>(
  name: string,
  log: (m: string) => void,
  start: () => Promise<T>,
): Promise<T> {
  const began = Date.now();
  const result = await start();
  log(`${name} ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return result;
}

/** Starts real PostgreSQL and/or Kafka side by side; if one fails, the other is stopped again. */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? ((): void => undefined);
  const [postgresPort, kafkaPort, controllerPort] = await freePorts(3);
  const [postgres, kafka] = await Promise.allSettled([
    opts.withPostgres
      ? timed('postgres', log, () =>
          startPostgres({
            dataDir: join(dataDir, 'postgres'),
            port: opts.postgresPort ?? postgresPort,
            ephemeral: opts.ephemeral,
          }),
        )
      : undefined,
    opts.withKafka
      ? timed(
          opts.kafkaBrokers && opts.kafkaBrokers > 1
            ? `kafka (${opts.kafkaBrokers} brokers)`
            : 'kafka',
          log,
          () =>
            startKafka({
              dataDir: join(dataDir, 'kafka'),
              port: opts.kafkaPort ?? kafkaPort,
              controllerPort,
              brokers: opts.kafkaBrokers,
              ephemeral: opts.ephemeral,
            }),
        )
      : undefined,
  ]);

  const running: { stop(): Promise<void> }[] = [];
  if (postgres.status === 'fulfilled' && postgres.value) running.push(postgres.value);
  if (kafka.status === 'fulfilled' && kafka.value) running.push(kafka.value);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(running.map((service) => service.stop()));
      // Each service removed its own folder; drop the then-empty parent as well.
      if (opts.ephemeral && (await readdir(dataDir).catch(() => ['?'])).length === 0) {
        await rmdir(dataDir).catch(() => undefined);
      }
    })());

  const failures = [postgres, kafka].flatMap((r) =>
    r.status === 'rejected' ? [r.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await stop();
    if (failures.length === 1) throw failures[0];
    throw new Error(failures.map((f) => (f instanceof Error ? f.message : String(f))).join('\n\n'));
  }
  return {
    databaseUrl: postgres.status === 'fulfilled' ? postgres.value?.url : undefined,
    kafkaBrokers: kafka.status === 'fulfilled' ? kafka.value?.brokers : undefined,
    stop,
  };
}
