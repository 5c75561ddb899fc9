/**
 * Upload and download of one large file through the real content service,
 * run as a child process so its memory can be watched: prints MB/s next to
 * a plain disk copy of the same file and the service's peak RSS per phase.
 *
 *   npx nx run content:bench                       (200 MiB)
 *   BENCH_FILE_MB=50 npx tsx apps/content/bench/transfer.bench.ts
 *
 * Uses DATABASE_URL / KAFKA_BROKERS when set; otherwise starts an ephemeral
 * local stack (embedded PostgreSQL and Kafka) for the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createSigner } from 'fast-jwt';
import { uuidv7 } from '@nexus/core';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@nexus/grpc';
import { freePorts, startLocalStack, type LocalStack } from '@nexus/stack';
import { FileTransferClient } from '../src/testing/file-transfer';

const ROOT = path.resolve(__dirname, '../../..');
const MIB = 1024 * 1024;
const SIZE_MB = Number(process.env.BENCH_FILE_MB ?? 200);
const CHUNK = 64 * 1024;

async function main(): Promise<void> {
  if (!Number.isFinite(SIZE_MB) || SIZE_MB <= 0)
    throw new Error('BENCH_FILE_MB: a positive number');
  const work = await mkdtemp(path.join(tmpdir(), 'nexus-content-bench-'));
  let stack: LocalStack | undefined;
  let service: ChildProcess | undefined;
  let client: FileTransferClient | undefined;
  try {
    let databaseUrl = process.env.DATABASE_URL;
    let kafkaBrokers = process.env.KAFKA_BROKERS;
    if (!databaseUrl || !kafkaBrokers) {
      log('starting an ephemeral local stack (PostgreSQL + Kafka)...');
      stack = await startLocalStack({
        dataDir: path.join(work, 'stack'),
        ephemeral: true,
        withPostgres: !databaseUrl,
        withKafka: !kafkaBrokers,
      });
      databaseUrl ??= stack.databaseUrl;
      kafkaBrokers ??= stack.kafkaBrokers;
    }

    const source = path.join(work, 'source.bin');
    log(`writing a ${SIZE_MB} MiB file of random bytes...`);
    const sourceHash = await writeRandomFile(source, SIZE_MB * MIB);
    const bytes = SIZE_MB * MIB;

    const copyStarted = process.hrtime.bigint();
    await pipeline(
      createReadStream(source, { highWaterMark: CHUNK }),
      createWriteStream(path.join(work, 'copy.bin')),
    );
    const copySeconds = secondsSince(copyStarted);
    await rm(path.join(work, 'copy.bin'));

    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const [grpcPort, httpPort] = await freePorts(2);
    service = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'apps/content/src/main.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          KAFKA_BROKERS: kafkaBrokers,
          JWT_PUBLIC_KEY: keys.publicKey,
          BIND_HOST: '127.0.0.1',
          CONTENT_GRPC_PORT: String(grpcPort),
          CONTENT_HTTP_PORT: String(httpPort),
          CONTENT_BLOB_DIR: path.join(work, 'blobs'),
          CONTENT_MAX_FILE_BYTES: String(bytes + MIB),
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    await waitUntilReady(service, httpPort);
    const pid = await serverPid(service);
    const token = createSigner<Record<string, unknown>>({
      key: keys.privateKey,
      algorithm: 'EdDSA',
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
      expiresIn: 3_600_000,
    })({ sub: uuidv7(), role: 'user' });
    client = new FileTransferClient(`127.0.0.1:${grpcPort}`);

    const idle = await rssOf(pid);
    await resetPeak(pid);
    const uploadStarted = process.hrtime.bigint();
    const file = await client.upload(
      token,
      { name: 'bench.bin', sizeBytes: String(bytes), sha256: sourceHash },
      createReadStream(source, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>,
    );
    const uploadSeconds = secondsSince(uploadStarted);
    const uploadPeak = await peakOf(pid);

    await resetPeak(pid);
    const hash = createHash('sha256');
    const downloadStarted = process.hrtime.bigint();
    await client.download(token, file.id, (chunk) => hash.update(chunk));
    const downloadSeconds = secondsSince(downloadStarted);
    const downloadPeak = await peakOf(pid);
    if (hash.digest('hex') !== sourceHash) throw new Error('the download differs from the upload');

    const mbps = (seconds: number) => bytes / MIB / seconds;
    const rows = [
      ['plain disk copy', copySeconds, '-'],
      ['UploadFile (gRPC stream)', uploadSeconds, mb(uploadPeak)],
      ['DownloadFile (gRPC stream)', downloadSeconds, mb(downloadPeak)],
    ] as const;
    console.log(`\ncontent transfer benchmark: ${SIZE_MB} MiB, chunks of ${CHUNK / 1024} KiB`);
    console.log(`service RSS when idle: ${mb(idle)}`);
    console.log(
      [
        'phase'.padEnd(28),
        'seconds'.padStart(8),
        'MiB/s'.padStart(9),
        'vs copy'.padStart(8),
        'peak RSS'.padStart(10),
      ].join(' '),
    );
    for (const [phase, seconds, peak] of rows) {
      console.log(
        [
          phase.padEnd(28),
          seconds.toFixed(2).padStart(8),
          mbps(seconds).toFixed(1).padStart(9),
          `${(copySeconds / seconds).toFixed(2)}x`.padStart(8),
          peak.padStart(10),
        ].join(' '),
      );
    }
    console.log(
      `peak RSS growth over idle: upload ${mb(uploadPeak - idle)}, download ${mb(downloadPeak - idle)} ` +
        `(file ${SIZE_MB} MiB: memory stays flat when this is far below the file size)`,
    );
  } finally {
    client?.close();
    if (service && service.exitCode === null) {
      const exited = new Promise((resolve) => service!.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let written = 0; written < size; written += MIB) {
    const block = randomBytes(Math.min(MIB, size - written));
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return hash.digest('hex');
}

/** tsx runs the service in a child of its own: the process whose memory counts is the one listening. */
async function serverPid(launcher: ChildProcess): Promise<number> {
  const children = await readFile(
    `/proc/${launcher.pid}/task/${launcher.pid}/children`,
    'utf8',
  ).catch(() => '');
  const child = Number(children.trim().split(/\s+/)[0]);
  return Number.isFinite(child) && child > 0 ? child : launcher.pid!;
}

async function statusField(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

const rssOf = (pid: number) => statusField(pid, 'VmRSS');
const peakOf = (pid: number) => statusField(pid, 'VmHWM');
/** Resets the kernel's peak-RSS mark (VmHWM) so each phase is measured on its own. */
const resetPeak = (pid: number) => writeFile(`/proc/${pid}/clear_refs`, '5');

const mb = (value: number) => `${(value / MIB).toFixed(1)} MiB`;
const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const log = (message: string) => process.stderr.write(`${message}\n`);

async function waitUntilReady(child: ChildProcess, httpPort: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the content service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the content service was not ready within 120 s');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
