import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  brokerTlsSettings,
  probeSecurity,
  writeKeystore,
  type KafkaTlsOptions,
} from './broker-tls';
import { freePorts, isPortListening } from './ports';
import { commandLine, isAlive, stopWithThisProcess, terminate } from './process-cleanup';
import { repoRoot } from './repo-root';

export interface KafkaOptions {
  /**
   * Holds server.properties, the KRaft log dir, broker.log and broker.pid; with
   * more than one broker, one folder per node in it (node-1, node-2, ...).
   */
  dataDir: string;
  /** The first node's client port. */
  port: number;
  /** The first node's controller (KRaft quorum) port. */
  controllerPort: number;
  /**
   * Nodes of the cluster, each a combined broker and controller (all of them
   * quorum voters); default 1. Nodes after the first take free ports.
   */
  brokers?: number;
  /** Remove dataDir on stop(). */
  ephemeral?: boolean;
  /** Listen with TLS and SASL/SCRAM-SHA-512 instead of plaintext (broker-tls.ts). */
  tls?: KafkaTlsOptions;
}

export interface RunningKafka {
  /** host:port list for kafkajs `brokers` (comma separated). */
  brokers: string;
  /** The cluster's nodes, in node id order, for tests that break one of them. */
  nodes: readonly KafkaNode[];
  stop(): Promise<void>;
}

/** One node of a running cluster. */
export interface KafkaNode {
  /** Its node.id (1, 2, ...): what describeCluster and partition metadata name. */
  readonly id: number;
  /** host:port of its client listener. */
  readonly address: string;
  /** Whether its JVM is running. */
  readonly running: boolean;
  /** Kills the JVM at once (SIGKILL: no clean shutdown); resolves once it is gone. */
  kill(): Promise<void>;
  /**
   * Starts it again on the same data and ports; resolves once the cluster
   * lists it among its brokers again.
   */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
/** Three JVMs electing a quorum on a busy 2-core machine took 73 s once. */
const CLUSTER_READY_TIMEOUT_MS = 180_000;
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

/** One node's place in the cluster: its id, ports and files. */
interface NodeSpec {
  id: number;
  port: number;
  controllerPort: number;
  files: BrokerFiles;
}

function serverProperties(opts: KafkaOptions, node: NodeSpec, cluster: NodeSpec[]): string {
  const { files } = node;
  const listener = opts.tls ? 'SASL_SSL' : 'PLAINTEXT';
  // Internal topics cannot have more replicas than there are brokers.
  const replicas = Math.min(3, cluster.length);
  const settings: Record<string, string | number | boolean> = {
    'node.id': node.id,
    'process.roles': 'broker,controller',
    listeners: `${listener}://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `${listener}://127.0.0.1:${node.port}`,
    'listener.security.protocol.map': `${listener}:${listener},CONTROLLER:PLAINTEXT`,
    'inter.broker.listener.name': listener,
    'controller.listener.names': 'CONTROLLER',
    'controller.quorum.voters': cluster
      .map((voter) => `${voter.id}@127.0.0.1:${voter.controllerPort}`)
      .join(','),
    'log.dirs': files.logDir,
    'offsets.topic.replication.factor': replicas,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': Math.min(2, replicas),
    'default.replication.factor': replicas,
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

/** The cluster id a node was formatted with, if it was. */
function formattedClusterId(files: BrokerFiles): string | undefined {
  const meta = join(files.logDir, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1]?.trim();
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

/**
 * Waits until the cluster behind `brokers` answers and lists every node of
 * `expected` among its brokers (a single broker: answers at all).
 */
async function waitUntilReady(
  brokers: string[],
  expected: number[],
  exited: () => string | undefined,
  logFile: () => string,
  tls: KafkaTlsOptions | undefined,
  timeoutMs: number,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'nexus-stack-probe',
    brokers,
    ...(tls && (await probeSecurity(tls))),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const exit = exited();
    if (exit) throw new Error(`Kafka broker exited (${exit}) during start:\n${tail(logFile())}`);
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      const listed = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId));
      const missing = expected.filter((id) => !listed.has(id));
      if (missing.length === 0) return;
      lastError = `brokers ${missing.join(', ')} not registered yet`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `Kafka not ready after ${timeoutMs / 1000} s (${lastError}):\n${tail(logFile())}`,
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

function brokerFiles(dataDir: string): BrokerFiles {
  return {
    dataDir,
    logDir: join(dataDir, 'logs'),
    propsFile: join(dataDir, 'server.properties'),
    logFile: join(dataDir, 'broker.log'),
    pidFile: join(dataDir, 'broker.pid'),
    keystoreFile: join(dataDir, 'broker-keystore.pem'),
  };
}

async function prepareNode(
  opts: KafkaOptions,
  node: NodeSpec,
  cluster: NodeSpec[],
  clusterId: string,
  libs: string,
): Promise<void> {
  const { files } = node;
  await mkdir(files.dataDir, { recursive: true });
  await stopOrphan(files.pidFile, files.propsFile);
  // Otherwise the readiness probe could be answered by whatever already listens there.
  for (const port of [node.port, node.controllerPort]) {
    if (await isPortListening(port)) throw new Error(`Kafka cannot use port ${port}: in use`);
  }
  // Rewritten every start: the ports may differ from the previous run.
  if (opts.tls) await writeKeystore(opts.tls, files.keystoreFile);
  await writeFile(files.propsFile, serverProperties(opts, node, cluster));
  if (formattedClusterId(files) === undefined) {
    const format = ['format', '-t', clusterId, '-c', files.propsFile];
    // SCRAM credentials live in the cluster metadata, written at format time.
    for (const user of opts.tls?.scramUsers ?? [])
      format.push('--add-scram', `SCRAM-SHA-512=[name=${user.username},password=${user.password}]`);
    await run('java', java(libs, [], 'kafka.tools.StorageTool', format));
  }
}

/** A node's JVM: launched, watched, stopped. */
interface NodeProcess {
  pid: number;
  exitReason(): string | undefined;
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

function launchNode(libs: string, files: BrokerFiles, heap: string[]): NodeProcess {
  // Output goes to a file, not a pipe: the broker must not stall or die on a full or
  // broken pipe, and the file is what we quote when the start fails.
  const out = openSync(files.logFile, 'w');
  const jvm = [...heap, '-XX:+UseG1GC', '-Djava.awt.headless=true'];
  const child = spawn('java', java(libs, jvm, 'kafka.Kafka', [files.propsFile]), {
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
  writeFileSync(files.pidFile, String(pid));
  return {
    pid,
    exitReason: () => exitReason,
    stop: async (signal) => {
      if (exitReason === undefined) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      forget();
      await rm(files.pidFile, { force: true });
    },
  };
}

/**
 * Starts a real Apache Kafka (KRaft) as child JVMs: one node by default, or
 * `brokers` nodes started side by side, each a combined broker and
 * controller. Resolves once every node is a registered broker.
 */
export async function startKafka(opts: KafkaOptions): Promise<RunningKafka> {
  const dataDir = resolve(opts.dataDir);
  const size = opts.brokers ?? 1;
  if (!Number.isInteger(size) || size < 1) throw new Error(`brokers: ${size} is not a node count`);
  const extraPorts = await freePorts(2 * (size - 1));
  const cluster: NodeSpec[] = Array.from({ length: size }, (_, i) => ({
    id: i + 1,
    port: i === 0 ? opts.port : extraPorts[2 * i - 2],
    controllerPort: i === 0 ? opts.controllerPort : extraPorts[2 * i - 1],
    // One node keeps the layout it always had: the data dir is the node's.
    files: brokerFiles(size === 1 ? dataDir : join(dataDir, `node-${i + 1}`)),
  }));
  // Three JVMs share a small machine: a smaller heap each.
  const heap = size === 1 ? ['-Xms256m', '-Xmx512m'] : ['-Xms128m', '-Xmx384m'];
  const timeout = size === 1 ? READY_TIMEOUT_MS : CLUSTER_READY_TIMEOUT_MS;
  const libs = await ensureKafkaJars(defaultJarsCache());
  const clusterId =
    cluster.map((node) => formattedClusterId(node.files)).find((id) => id !== undefined) ??
    newClusterId();
  try {
    await Promise.all(cluster.map((node) => prepareNode(opts, node, cluster, clusterId, libs)));
  } catch (err) {
    if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  const processes = new Map<number, NodeProcess>();
  const addresses = cluster.map((node) => `127.0.0.1:${node.port}`);
  const exitOf = (ids: number[]) => (): string | undefined =>
    ids.map((id) => processes.get(id)?.exitReason()).find((reason) => reason !== undefined);
  const logOf = (node: NodeSpec) => (): string => node.files.logFile;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all([...processes.values()].map((p) => p.stop('SIGTERM')));
      if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    })());

  const nodes: KafkaNode[] = cluster.map((node) => ({
    id: node.id,
    address: `127.0.0.1:${node.port}`,
    get running() {
      const process = processes.get(node.id);
      return process !== undefined && process.exitReason() === undefined;
    },
    kill: async () => {
      await processes.get(node.id)?.stop('SIGKILL');
    },
    restart: async () => {
      await processes.get(node.id)?.stop('SIGTERM');
      processes.set(node.id, launchNode(libs, node.files, heap));
      await waitUntilReady(addresses, [node.id], exitOf([node.id]), logOf(node), opts.tls, timeout);
    },
  }));

  try {
    for (const node of cluster) processes.set(node.id, launchNode(libs, node.files, heap));
    await waitUntilReady(
      addresses,
      cluster.map((node) => node.id),
      exitOf(cluster.map((node) => node.id)),
      () => {
        const failed = cluster.find((node) => processes.get(node.id)?.exitReason() !== undefined);
        return (failed ?? cluster[0]).files.logFile;
      },
      opts.tls,
      timeout,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { brokers: addresses.join(','), nodes, stop };
}
