import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  brokerTlsSettings,
  probeSecurity,
  writeKeystore,
  type KafkaTlsOptions,
} from './broker-tls';
import { isPortListening } from './ports';
import { commandLine, isAlive, stopWithThisProcess, terminate } from './process-cleanup';
import { repoRoot } from './repo-root';

export interface KafkaOptions {
  /** Holds server.properties, the KRaft log dir, broker.log and broker.pid. */
  dataDir: string;
  port: number;
  controllerPort: number;
  /** Remove dataDir on stop(). */
  ephemeral?: boolean;
  /** Listen with TLS and SASL/SCRAM-SHA-512 instead of plaintext (broker-tls.ts). */
  tls?: KafkaTlsOptions;
}

export interface RunningKafka {
  /** host:port list for kafkajs `brokers` (comma separated). */
  brokers: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

const kafkaDir = (): string => join(repoRoot(), 'infra/kafka');
/** Shared by `npm start` and every test run; gitignored (infra/kafka/target/). */
const defaultJarsCache = (): string => join(kafkaDir(), 'target');

/** Downloads the broker jars into the project's cache (infra/kafka/target) unless already there. */
export const fetchKafkaJars = (): Promise<string> => ensureKafkaJars(defaultJarsCache());

const downloads = new Map<string, Promise<string>>();

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err)
        fail(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else done();
    });
  });
}

/**
 * Fetches the broker's jars (infra/kafka/pom.xml) with Maven into `<cacheDir>/kafka-libs`
 * once; a marker named after the pom's hash says the folder is complete and current.
 * Returns the folder holding the jars.
 */
export async function ensureKafkaJars(cacheDir: string): Promise<string> {
  const dir = resolve(cacheDir);
  let pending = downloads.get(dir);
  if (!pending) {
    pending = downloadJars(dir);
    downloads.set(dir, pending);
    pending.catch(() => downloads.delete(dir));
  }
  return pending;
}

async function downloadJars(cacheDir: string): Promise<string> {
  const pom = join(kafkaDir(), 'pom.xml');
  const hash = createHash('sha256')
    .update(await readFile(pom))
    .digest('hex')
    .slice(0, 16);
  const libs = join(cacheDir, 'kafka-libs');
  const marker = (dir: string): string => join(dir, `.complete-${hash}`);
  if (existsSync(marker(libs))) return libs;

  process.stderr.write(
    `[stack] Downloading the Kafka broker jars with Maven (once) into ${libs}\n`,
  );
  // Download beside the target and swap it in, so a concurrent run never sees half a folder.
  const staging = `${libs}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(cacheDir, { recursive: true });
  await run('mvn', [
    ...['-q', '-B', '-Dstyle.color=never', '-f', pom],
    'dependency:copy-dependencies',
    ...['-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
  ]).catch(async (err: unknown) => {
    await rm(staging, { recursive: true, force: true });
    throw err;
  });
  await writeFile(marker(staging), '');
  if (existsSync(marker(libs))) {
    // A concurrent run finished first and may already be using its copy: keep that one.
    await rm(staging, { recursive: true, force: true });
    return libs;
  }
  await rm(libs, { recursive: true, force: true }); // jars for an older pom
  try {
    await rename(staging, libs);
  } catch (err) {
    // Another process won the race: use its copy if it is the same version.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(marker(libs))) throw err;
  }
  return libs;
}

function java(libs: string, jvmArgs: string[], mainClass: string, args: string[]): string[] {
  const log4j = join(kafkaDir(), 'log4j.properties');
  return [
    ...jvmArgs,
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    `${libs}/*`,
    mainClass,
    ...args,
  ];
}

function serverProperties(opts: KafkaOptions, files: BrokerFiles): string {
  const listener = opts.tls ? 'SASL_SSL' : 'PLAINTEXT';
  const settings: Record<string, string | number | boolean> = {
    'node.id': 1,
    'process.roles': 'broker,controller',
    listeners: `${listener}://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}`,
    'advertised.listeners': `${listener}://127.0.0.1:${opts.port}`,
    'listener.security.protocol.map': `${listener}:${listener},CONTROLLER:PLAINTEXT`,
    'inter.broker.listener.name': listener,
    'controller.listener.names': 'CONTROLLER',
    'controller.quorum.voters': `1@127.0.0.1:${opts.controllerPort}`,
    'log.dirs': files.logDir,
    // One broker: internal topics cannot have more replicas than that.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Fewer internal partitions than the default 50: the first consumer group starts faster.
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.num.partitions': 5,
    'auto.create.topics.enable': true,
    'num.partitions': 3,
    // Consumers in tests join immediately instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,
    ...(opts.tls && brokerTlsSettings(opts.tls, files.keystoreFile)),
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

/** A KRaft cluster id: 16 random bytes, base64url; never starting with '-' (read as a CLI flag). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no broker output)';
  }
}

/** A broker from a run that was killed still holds the log dir lock and the ports. */
async function stopOrphan(pidFile: string, propsFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
  if (pid > 0 && isAlive(pid) && commandLine(pid).includes(propsFile)) {
    await terminate(pid, 'SIGTERM', 'SIGKILL', STOP_GRACE_MS);
  }
}

async function waitUntilReady(
  brokers: string,
  exited: () => string | undefined,
  logFile: string,
  tls: KafkaTlsOptions | undefined,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'nexus-stack-probe',
    brokers: [brokers],
    ...(tls && (await probeSecurity(tls))),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = '';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`Kafka broker exited (${exit}) during start:\n${tail(logFile)}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(
    `Kafka broker not ready after ${READY_TIMEOUT_MS / 1000} s (${lastError}):\n${tail(logFile)}`,
  );
}

interface BrokerFiles {
  dataDir: string;
  logDir: string;
  propsFile: string;
  logFile: string;
  pidFile: string;
  /** The broker's key and certificate in one PEM file (a TLS broker's). */
  keystoreFile: string;
}

async function prepareDataDir(opts: KafkaOptions, files: BrokerFiles, libs: string): Promise<void> {
  await mkdir(files.dataDir, { recursive: true });
  await stopOrphan(files.pidFile, files.propsFile);
  // Otherwise the readiness probe could be answered by whatever already listens there.
  for (const port of [opts.port, opts.controllerPort]) {
    if (await isPortListening(port)) throw new Error(`Kafka cannot use port ${port}: in use`);
  }
  // Rewritten every start: the ports may differ from the previous run.
  if (opts.tls) await writeKeystore(opts.tls, files.keystoreFile);
  await writeFile(files.propsFile, serverProperties(opts, files));
  if (!existsSync(join(files.logDir, 'meta.properties'))) {
    const format = ['format', '-t', newClusterId(), '-c', files.propsFile];
    // SCRAM credentials live in the cluster metadata, written at format time.
    for (const user of opts.tls?.scramUsers ?? [])
      format.push('--add-scram', `SCRAM-SHA-512=[name=${user.username},password=${user.password}]`);
    await run('java', java(libs, [], 'kafka.tools.StorageTool', format));
  }
}

/** Starts a real single-node Apache Kafka (KRaft, combined broker+controller) as a child JVM. */
export async function startKafka(opts: KafkaOptions): Promise<RunningKafka> {
  const dataDir = resolve(opts.dataDir);
  const files: BrokerFiles = {
    dataDir,
    logDir: join(dataDir, 'logs'),
    propsFile: join(dataDir, 'server.properties'),
    logFile: join(dataDir, 'broker.log'),
    pidFile: join(dataDir, 'broker.pid'),
    keystoreFile: join(dataDir, 'broker-keystore.pem'),
  };
  const { propsFile, logFile, pidFile } = files;
  const libs = await ensureKafkaJars(defaultJarsCache());
  try {
    await prepareDataDir(opts, files, libs);
  } catch (err) {
    if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  // Output goes to a file, not a pipe: the broker must not stall or die on a full or
  // broken pipe, and the file is what we quote when the start fails.
  const out = openSync(logFile, 'w');
  const jvm = ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true'];
  const child = spawn('java', java(libs, jvm, 'kafka.Kafka', [propsFile]), {
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exitReason: string | undefined;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exitReason = signal ? `signal ${signal}` : `code ${code}`;
      done();
    }),
  );
  child.once('error', (err) => (exitReason = err.message));
  if (child.pid === undefined) throw new Error('Could not launch java (is a JDK 17+ on PATH?)');
  const pid = child.pid;
  const forget = stopWithThisProcess(pid, 'SIGTERM');
  await writeFile(pidFile, String(pid));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (exitReason === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      forget();
      await rm(pidFile, { force: true });
      if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    })());

  const brokers = `127.0.0.1:${opts.port}`;
  try {
    await waitUntilReady(brokers, () => exitReason, logFile, opts.tls);
  } catch (err) {
    await stop();
    throw err;
  }
  return { brokers, stop };
}
