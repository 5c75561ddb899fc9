import { readdir, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startKafka, type RunningKafka } from './kafka';
import { freePort } from './ports';
import { startPostgres, type RunningPostgres } from './postgres';

export interface LocalStackOptions {
  /** Parent folder: Postgres lives in <dataDir>/postgres, Kafka in <dataDir>/kafka. */
  dataDir: string;
  /** Delete the data on stop() (tests); otherwise it is kept for the next start. */
  ephemeral: boolean;
  /** Defaults to a free port. */
  postgresPort?: number;
  /** Defaults to a free port. */
  kafkaPort?: number;
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

async function timed<T>(name: string, log: (m: string) => void, start: () => Promise<T>): Promise<T> {
  const began = Date.now();
  const result = await start();
  log(`${name} ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return result;
}

/** Starts real PostgreSQL and/or Kafka side by side; if one fails, the other is stopped again. */
export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? ((): void => undefined);
  const [postgres, kafka] = await Promise.allSettled([
    opts.withPostgres
      ? timed('postgres', log, async () =>
          startPostgres({
            dataDir: join(dataDir, 'postgres'),
            port: opts.postgresPort ?? (await freePort()),
            ephemeral: opts.ephemeral,
          }),
        )
      : undefined,
    opts.withKafka
      ? timed('kafka', log, async () =>
          startKafka({
            dataDir: join(dataDir, 'kafka'),
            port: opts.kafkaPort ?? (await freePort()),
            controllerPort: await freePort(),
            ephemeral: opts.ephemeral,
          }),
        )
      : undefined,
  ]);

  const running = [postgres, kafka]
    .filter((r): r is PromiseFulfilledResult<RunningPostgres | RunningKafka | undefined> => r.status === 'fulfilled')
    .flatMap((r) => (r.value ? [r.value] : []));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(running.map((service) => service.stop()));
      // Each service removed its own folder; drop the then-empty parent as well.
      if (opts.ephemeral && (await readdir(dataDir).catch(() => ['?'])).length === 0) {
        await rmdir(dataDir).catch(() => undefined);
      }
    })());

  const failures = [postgres, kafka].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
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
