// `npm run bench`: every measurement of issue 9 in one run, side by side on
// one machine, printed as ratios and written to docs/performance.md.
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { format, resolveConfig } from 'prettier';
import { withScratchDatabase } from '@nexus/db';
import { createKafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { signTestToken } from '@nexus/testing';
import { benchConfig, type BenchConfig } from './config';
import { localListener, type CpuParties } from './cpu-meter';
import { measureLatency } from './latency-bench';
import { measureListPaging } from './list-bench';
import { closedLoop } from './load';
import { readProfile, summariseProfile, type ProfileSummary } from './profile';
import { bulkLoadUsers, seedUsers } from './raw-postgres';
import { createBenchSchema, measureRelay } from './relay-bench';
import { renderReport, targets, type BenchResults, type Machine } from './report';
import { formatNumber, targetMet } from './stats';
import {
  bestOfRounds,
  measurePhysicalLimits,
  measureService,
  serviceCalls,
  type Round,
} from './users-bench';
import { startUsers } from './users-service';

const ROOT = path.resolve(__dirname, '../../..');
const log = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

async function machine(databaseUrl: string, ownKafka: boolean): Promise<Machine> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
  await client.end();
  let kafka = 'external (KAFKA_BROKERS), version not reported';
  if (ownKafka) {
    const jars = readdirSync(path.join(ROOT, 'infra/kafka/target/kafka-libs'));
    const version = jars.map((jar) => /^kafka_[\d.]+-([\d.]+)\.jar$/.exec(jar)?.[1]).find(Boolean);
    kafka = `${version ?? 'unknown'} (KRaft, single node, local stack)`;
  }
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: rows[0]?.server_version ?? 'unknown',
    kafka,
  };
}

async function run(config: BenchConfig, databaseUrl: string, brokers: string, ownKafka: boolean) {
  const startedAt = new Date();
  const began = performance.now();
  const tag = Date.now().toString(36);
  const keys = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const token = signTestToken({ role: 'admin', expiresInMs: 6 * 3600_000, key: keys.privateKey });
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    JWT_PRIVATE_KEY: keys.privateKey,
    JWT_PUBLIC_KEY: keys.publicKey,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
  };
  const shape = { concurrency: config.concurrency, seconds: config.seconds };
  const parties: CpuParties = {
    postgres: localListener(databaseUrl),
    kafka: localListener(brokers.split(',')[0]),
  };

  // Migrate, seed, and take a real User message for the echo server's reply size.
  let users = await startUsers(env, token);
  const seedIds = await seedUsers(databaseUrl, 1000, tag);
  const sample = await users.client.getUser({ id: seedIds[0] });
  await users.stop();

  // G and P, then the service, in alternating rounds: whatever else runs on
  // the host meanwhile disturbs each of them alike.
  const rounds: Round[] = [];
  for (let round = 1; round <= config.rounds; round += 1) {
    const roundTag = `${tag}r${round}`;
    log(`round ${round} of ${config.rounds}: G (gRPC echo) and P (raw SQL), the service stopped`);
    const limits = await measurePhysicalLimits({
      databaseUrl,
      token,
      sample,
      seedIds,
      shape,
      tag: roundTag,
      parties,
      log,
    });
    // P's events: nobody relays them, and the service's relay must not spend the next phase on them.
    await queryOnce(databaseUrl, 'DELETE FROM "users"."outbox"');

    log(`round ${round} of ${config.rounds}: the users service`);
    users = await startUsers(env, token);
    const service = await measureService(users, seedIds, shape, roundTag, parties, log);
    rounds.push({ limits, service });
    if (round < config.rounds) await users.stop();
  }
  const { limits, service } = bestOfRounds(rounds);

  const logger = createLogger({ service: 'bench', level: 'warn' });
  const kafka = createKafka({ brokers, clientId: 'nexus-bench', logger });
  const dataSource = await createBenchSchema(databaseUrl);
  let relay;
  const latency = [];
  try {
    log('outbox relay');
    relay = await measureRelay({ databaseUrl, kafka, logger, events: config.relayEvents, log });
    for (const mode of ['notify', 'poll-500ms'] as const) {
      latency.push(
        await measureLatency({
          dataSource,
          databaseUrl,
          kafka,
          logger,
          mode,
          ratePerSecond: config.latencyRate,
          seconds: config.latencySeconds,
          tag,
          log,
        }),
      );
    }
  } finally {
    await dataSource.destroy();
  }

  log(`list paging: loading ${formatNumber(config.listRows)} users`);
  await bulkLoadUsers(databaseUrl, config.listRows, (done) => log(`  ${formatNumber(done)} rows`));
  const list = await measureListPaging({
    client: users.client,
    databaseUrl,
    rows: config.listRows,
    depthRows: Math.floor((config.listRows * config.depthPercent) / 100),
    log,
  });
  await users.stop();

  const results: BenchResults = {
    config,
    machine: await machine(databaseUrl, ownKafka),
    startedAt,
    seconds: 0,
    limits,
    service,
    rounds,
    relay,
    latency,
    list,
    profiles: [],
  };

  // Where a users-service target is missed, profile the service under that load; with
  // CreateUser, also the write path without hashing when it misses the same ratio.
  const missed = targets(results);
  const toProfile: { op: 'get' | 'create' | 'update'; name: string }[] = [];
  if (!targetMet(missed.get)) toProfile.push({ op: 'get', name: 'GetUser' });
  if (!targetMet(missed.create)) {
    toProfile.push({ op: 'create', name: 'CreateUser' });
    if (service.update.load.rate / limits.hCreate < missed.create.bound) {
      toProfile.push({ op: 'update', name: 'UpdateUser (the write path without hashing)' });
    }
  }
  if (config.profile) {
    for (const { op, name } of toProfile) {
      log(`profiling the users service under ${op} load`);
      results.profiles.push({
        name,
        summary: await profile(env, token, seedIds, shape, `${tag}p`, op),
      });
    }
  }
  results.seconds = (performance.now() - began) / 1000;
  return results;
}

async function profile(
  env: Record<string, string>,
  token: string,
  seedIds: readonly string[],
  shape: { concurrency: number; seconds: number },
  tag: string,
  op: 'get' | 'create' | 'update',
): Promise<ProfileSummary> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nexus-bench-prof-'));
  try {
    const users = await startUsers(
      {
        ...env,
        NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.cjs')}`,
        NEXUS_BENCH_PROFILE_DIR: dir,
      },
      token,
    );
    try {
      await closedLoop({
        ...shape,
        call: serviceCalls(users, seedIds, tag)[op],
        onMeasureStart: () => process.kill(users.pid, 'SIGUSR2'),
        onMeasureEnd: () => process.kill(users.pid, 'SIGUSR2'),
      });
      return summariseProfile(await readProfile(path.join(dir, `${users.pid}.cpuprofile`)));
    } finally {
      await users.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function queryOnce(databaseUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function printSummary(results: BenchResults): void {
  log('results');
  for (const target of Object.values(targets(results))) {
    const met = targetMet(target) ? 'met' : 'MISSED';
    log(
      `  ${target.name}: ${formatNumber(target.value)} (target ${target.sense} ${target.bound}) ${met}`,
    );
  }
}

async function main(): Promise<void> {
  const config = benchConfig();
  let stack: LocalStack | undefined;
  if (!config.databaseUrl || !config.kafkaBrokers) {
    log('starting an ephemeral PostgreSQL and Kafka');
    stack = await startLocalStack({
      dataDir: path.join(ROOT, '.nexus/bench'),
      ephemeral: true,
      withPostgres: !config.databaseUrl,
      withKafka: !config.kafkaBrokers,
      log,
    });
  }
  try {
    const serverUrl = config.databaseUrl ?? stack?.databaseUrl;
    const brokers = config.kafkaBrokers ?? stack?.kafkaBrokers;
    if (!serverUrl || !brokers) throw new Error('the local stack did not report its addresses');
    const results = await withScratchDatabase(serverUrl, 'nexus_bench', (databaseUrl) =>
      run(config, databaseUrl, brokers, !config.kafkaBrokers),
    );
    printSummary(results);
    const output = path.resolve(ROOT, config.output);
    const markdown = await format(renderReport(results), {
      ...(await resolveConfig(output)),
      parser: 'markdown',
    });
    await writeFile(output, markdown);
    log(`wrote ${path.relative(ROOT, output)}`);
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
