/**
 * The figures of docs/operations.md, Built artifacts:
 * `npx tsx tools/measure-built.ts <image dir>` where <image dir> holds what the
 * image carries (dist/, infra/db, production node_modules: see
 * tools/built-service.int-spec.ts). On an ephemeral local stack, each service
 * starts from its source through tsx (one process: node --import tsx, as
 * startAppProcess runs it) and from its bundle (node dist/apps/<service>/main.js),
 * one at a time, migrations applied beforehand so neither start migrates, tsx
 * without its transform cache (a new container's /tmp is empty). Prints
 * the time from spawn to /readyz 200 and the resident memory 10 s after that.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, startLocalStack } from '@nexus/stack';

const ROOT = path.resolve(__dirname, '..');
const SERVICES = ['users', 'content', 'comms', 'work', 'ai-usage', 'analytics'];
const IDLE_MS = 10_000;

interface Sample {
  readyMs: number;
  rssMiB: number;
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? NaN) / 1024;
}

async function measure(
  service: string,
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<Sample> {
  const [grpcPort, httpPort] = await freePorts(2);
  const prefix = service.toUpperCase().replace(/-/g, '_');
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      ...env,
      [`${prefix}_GRPC_PORT`]: String(grpcPort),
      [`${prefix}_HTTP_PORT`]: String(httpPort),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}`);
      if (performance.now() - started > 120_000) throw new Error(`${service}: not ready in 120 s`);
      const ok = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const readyMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { readyMs, rssMiB: rssMiB(child.pid as number) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const image = path.resolve(process.argv[2] ?? '');
  const stack = await startLocalStack({
    dataDir: mkdtempSync(path.join(tmpdir(), 'nexus-measure-')),
    ephemeral: true,
    withPostgres: true,
    withKafka: true,
  });
  try {
    const keys = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DATABASE_URL: stack.databaseUrl,
      KAFKA_BROKERS: stack.kafkaBrokers,
      JWT_PRIVATE_KEY: keys.privateKey,
      JWT_PUBLIC_KEY: keys.publicKey,
      BIND_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MIGRATE_ON_START: 'false',
    };
    execFileSync(process.execPath, ['dist/tools/nexus/main.js', 'db', 'migrate', 'all'], {
      cwd: image,
      env,
      stdio: 'ignore',
    });
    process.stdout.write(
      '| service | ready, tsx (ms) | ready, built (ms) | RSS, tsx (MiB) | RSS, built (MiB) |\n',
    );
    for (const service of SERVICES) {
      const source = await measure(
        service,
        ROOT,
        ['--import', 'tsx', `apps/${service}/src/main.ts`],
        // A new container's /tmp is empty: no transform cache from an earlier start.
        { ...env, TSX_DISABLE_CACHE: '1' },
      );
      const built = await measure(service, image, [`dist/apps/${service}/main.js`], env);
      process.stdout.write(
        `| ${service} | ${source.readyMs.toFixed(0)} | ${built.readyMs.toFixed(0)} | ${source.rssMiB.toFixed(0)} | ${built.rssMiB.toFixed(0)} |\n`,
      );
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
