// `npm run bench`: every measurement of issues 9 and 15 in one run, side by
// side on one machine, printed as ratios and written to docs/performance.md.
import 'reflect-metadata';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { format, resolveConfig } from 'prettier';
import { withScratchDatabase } from '@nexus/db';
import { createKafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { commonV1, usersV1 } from '@nexus/proto';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { rowMet, signTestToken } from '@nexus/testing';
import { benchConfig, type BenchConfig } from './config';
import { localListener, type CpuParties } from './cpu-meter';
import { profileCalls } from './profile-run';
import { renderReport, type BenchResults, type Machine } from './report';
import {
  guarded,
  measureListSection,
  measureRelaySection,
  measureSustainedSection,
  type SectionFailure,
} from './run-sections';
import { callMet, resultRows } from './result-rows';
import { measureRound, summariseRounds, type CallRound, type SeededCall } from './rounds';
import type { Caller, SeedContext } from './scenario';
import { SCENARIOS } from './scenarios';
import { BENCH_PASSWORD } from './scenarios/users.scenarios';
import { runServiceBench, type ServiceBench, type ServiceBenchResult } from './service-benches';
import { startPlatform, type Platform, type ServiceName } from './services';
import { formatNumber } from './stats';

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

async function run(
  config: BenchConfig,
  serverUrl: string,
  databaseUrl: string,
  brokers: string,
  ownKafka: boolean,
) {
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
  const measured: ServiceName[] = ['users', 'content', 'work', 'comms'];
  const start = (extraEnv = {}) => startPlatform(env, token, measured, extraEnv);

  // Migrate, seed every scenario through the services, and take one real call of each for G's sizes.
  log('seeding through the services');
  const platform = await start();
  const calls: SeededCall[] = [];
  let seedContext: SeedContext;
  try {
    seedContext = {
      clients: platform.clients,
      databaseUrl,
      caller: await benchCaller(platform, keys.privateKey, tag),
      concurrency: config.concurrency,
      tag,
    };
    for (const scenario of SCENARIOS) {
      const run = await scenario.seed(seedContext);
      const { request, reply } = await run.sample(platform.clients, `${tag}x`);
      calls.push({ scenario, run, request, reply });
    }
  } finally {
    await platform.stop();
  }

  // G, P and the argon2id ceiling with the services stopped, then the services, in alternating rounds.
  const rounds: CallRound[][] = [];
  for (let round = 1; round <= config.rounds; round += 1) {
    log(`round ${round} of ${config.rounds}`);
    rounds.push(
      await measureRound({
        calls,
        startPlatform: start,
        databaseUrl,
        token,
        shape,
        tag: `${tag}r${round}`,
        parties,
        log,
      }),
    );
  }
  const figures = summariseRounds(calls, rounds);

  const logger = createLogger({ service: 'bench', level: 'warn' });
  const kafka = createKafka({ brokers, clientId: 'nexus-bench', logger });

  // The later sections each report their own failure (as rows not measured) rather than
  // losing every figure measured so far.
  const failures: SectionFailure[] = [];
  const guard = guarded(failures, log);
  const sections = { env, token, measured, databaseUrl, kafka, logger, config, tag, log };
  const sustained = await guard('sustained load', () =>
    measureSustainedSection({ ...sections, calls, seedContext }),
  );
  const serviceBenches: ServiceBenchResult[] = [];
  if (config.serviceBenches) {
    for (const bench of serviceBenchScripts(config)) {
      log(`service bench: ${bench.script}`);
      serviceBenches.push(await runServiceBench(bench, serverUrl, brokers, log));
    }
  }
  const relay = await guard('outbox relay and latency', () => measureRelaySection(sections));
  const list = await guard('list paging', () => measureListSection(sections));

  const results: BenchResults = {
    config,
    machine: await machine(databaseUrl, ownKafka),
    startedAt,
    seconds: 0,
    calls: figures,
    sustained,
    serviceBenches,
    relay: relay?.relay,
    latency: relay?.latency ?? [],
    list,
    failures,
    profiles: [],
  };

  // Where a call misses its target, profile the process serving it under the same load.
  if (config.profile) {
    const missed = calls.filter((call) => {
      const figure = figures.find((x) => x.scenario === call.scenario);
      return figure !== undefined && !callMet(figure);
    });
    log(`profiling ${missed.map((call) => call.scenario.name).join(', ') || 'nothing'}`);
    const summaries = await profileCalls(missed, start, shape, `${tag}p`);
    missed.forEach((call, i) => {
      const summary = summaries[i];
      if (summary) {
        results.profiles.push({
          name: call.scenario.name,
          service: call.scenario.service,
          summary,
        });
      }
    });
  }
  results.seconds = (performance.now() - began) / 1000;
  return results;
}

/** The user every scenario acts as: created through the users service, with a token of its own. */
async function benchCaller(platform: Platform, privateKey: string, tag: string): Promise<Caller> {
  const user = await platform.clients.users.createUser({
    user: usersV1.User.fromPartial({
      email: `caller-${tag}@bench.example`,
      username: `caller-${tag}`,
      fullName: 'Bench Caller',
      role: commonV1.Role.ROLE_USER,
    }),
    password: BENCH_PASSWORD,
    requestId: '',
  });
  const token = signTestToken({
    role: 'user',
    userId: user.id,
    expiresInMs: 6 * 3600_000,
    key: privateKey,
  });
  return { id: user.id, token };
}

/** The services' own benchmarks, at this run's size. */
function serviceBenchScripts(config: BenchConfig): ServiceBench[] {
  return [
    {
      name: 'ai-usage',
      script: 'apps/ai-usage/bench/usage.bench.ts',
      measures: ['RecordInteraction / H', 'AI batch recording'],
      env: config.quick ? { AI_USAGE_BENCH_ROWS: '20000' } : {},
    },
    {
      name: 'analytics',
      script: 'apps/analytics/bench/replay.bench.ts',
      measures: ['analytics replay', 'commit → read model'],
      env: { BENCH_EVENTS: String(config.analyticsEvents) },
    },
    {
      name: 'comms-watch',
      script: 'apps/comms/bench/watch.bench.ts',
      measures: [
        'WatchRoom commit → subscriber p99',
        'Watch memory per idle subscriber',
        'Watch fan-out / raw grpc-js',
      ],
      env: config.quick ? { WATCH_BENCH_SECONDS: '5' } : {},
    },
  ];
}

function printSummary(results: BenchResults): void {
  log('results');
  for (const row of resultRows(results)) {
    const met = rowMet(row) ? 'met' : 'MISSED';
    log(
      `  ${row.measurement}: ${formatNumber(row.value)} (target ${row.sense} ${row.bound}) ${met}`,
    );
  }
}

/**
 * Benches with targets of their own (the search benches of comms, content
 * and work) record their figures below this marker by hand: a new report
 * keeps that part of the file as it was.
 */
const KEPT_MARKER =
  '<!-- separate benches: kept as they are when npm run bench writes this file -->';

async function keptSections(output: string): Promise<string> {
  const previous = await readFile(output, 'utf8').catch(() => '');
  const at = previous.indexOf(KEPT_MARKER);
  return at < 0 ? '' : `\n${previous.slice(at)}`;
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
      run(config, serverUrl, databaseUrl, brokers, !config.kafkaBrokers),
    );
    printSummary(results);
    const output = path.resolve(ROOT, config.output);
    const markdown = await format(renderReport(results) + (await keptSections(output)), {
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
