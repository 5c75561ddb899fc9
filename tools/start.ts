/**
 * `npm start`: the whole platform on this machine. Brings up the local stack
 * (embedded PostgreSQL on 127.0.0.1:5433 and a KRaft Kafka on 127.0.0.1:9092)
 * unless DATABASE_URL / KAFKA_BROKERS point elsewhere, migrates every
 * schema, starts every service, and prints where each listens. Ctrl-C stops
 * everything. Data lives in .nexus/ (ignored by git).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { migrate } from '@nexus/db';
import { startLocalStack, type LocalStack } from '@nexus/stack';
import { withServiceDatabase } from './cli/database';
import { runningStack } from './cli/stack';
import { developmentKeys } from './dev-secrets';
import {
  ROOT,
  SERVICE_PORTS,
  listRunnableApps,
  listServices,
  loadServiceDatabase,
} from './service-registry';

const DATA_DIR = path.join(ROOT, '.nexus');
const DEV_ADMIN = { email: 'admin@nexus.local', password: 'nexus-admin-password' };
const say = (message: string) => process.stdout.write(`[nexus] ${message}\n`);

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (env.NODE_ENV === 'production')
    throw new Error('npm start is the development stack; run the services directly in production');

  let stack: LocalStack | undefined;
  const detached = runningStack();
  if ((!env.DATABASE_URL || !env.KAFKA_BROKERS) && detached) {
    say(`using the local stack started by \`nexus stack up\` (pid ${detached.pid})`);
    env.DATABASE_URL ??= detached.databaseUrl;
    env.KAFKA_BROKERS ??= detached.kafkaBrokers;
  }
  if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
    say('starting the local stack (first run downloads the Kafka broker from Maven Central)...');
    stack = await startLocalStack({
      dataDir: DATA_DIR,
      ephemeral: false,
      postgresPort: 5433,
      kafkaPort: 9092,
      withPostgres: !env.DATABASE_URL,
      withKafka: !env.KAFKA_BROKERS,
      log: say,
    });
    env.DATABASE_URL ??= stack.databaseUrl;
    env.KAFKA_BROKERS ??= stack.kafkaBrokers;
  }
  if (!env.JWT_PRIVATE_KEY || !env.JWT_PUBLIC_KEY) {
    const keys = developmentKeys(DATA_DIR);
    env.JWT_PRIVATE_KEY = keys.privateKey;
    env.JWT_PUBLIC_KEY = keys.publicKey;
  }
  env.NEXUS_ADMIN_EMAIL ??= DEV_ADMIN.email;
  env.NEXUS_ADMIN_PASSWORD ??= DEV_ADMIN.password;
  // Where the services find users: analytics' dashboard sign-in asks it (the
  // others' lookups default to the same address).
  env.USERS_GRPC_ADDRESS ??= `127.0.0.1:${SERVICE_PORTS.users?.grpc}`;

  for (const service of listServices()) {
    const applied = await withServiceDatabase(
      loadServiceDatabase(service),
      migrate,
      env.DATABASE_URL,
    );
    say(`${service}: schema up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);
  }

  const children = listRunnableApps().map((app) => startApp(app, env));
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await Promise.all(children.map(({ child }) => stopChild(child)));
    await stack?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const { app, child } of children) {
    child.once('exit', (code) => {
      if (!stopping) {
        say(`${app} exited with code ${code}; stopping the platform`);
        void stopAll(1);
      }
    });
  }

  await Promise.all(children.map(({ app }) => waitUntilReady(app)));
  say('ready:');
  for (const { app } of children) {
    const ports = SERVICE_PORTS[app];
    const grpc = ports?.grpc ? `gRPC 127.0.0.1:${ports.grpc}  ` : '';
    say(
      `  ${app.padEnd(10)} ${grpc}HTTP http://127.0.0.1:${ports?.http}  (/healthz /readyz /metrics)`,
    );
  }
  say(`  postgres   ${redact(env.DATABASE_URL as string)}`);
  say(`  kafka      ${env.KAFKA_BROKERS}`);
  say(
    `first admin: ${env.NEXUS_ADMIN_EMAIL} / ${env.NEXUS_ADMIN_PASSWORD === DEV_ADMIN.password ? DEV_ADMIN.password : '(from NEXUS_ADMIN_PASSWORD)'}`,
  );
  if (SERVICE_PORTS.analytics && children.some(({ app }) => app === 'analytics')) {
    say(
      `analytics dashboard: http://127.0.0.1:${SERVICE_PORTS.analytics.http}/ (sign in as the first admin, or any manager)`,
    );
  }
  say('Ctrl-C stops everything.');
}

function startApp(app: string, env: NodeJS.ProcessEnv): { app: string; child: ChildProcess } {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), `apps/${app}/src/main.ts`],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      process.stdout.write(`[${app}] ${line}\n`),
    );
  }
  return { app, child };
}

async function waitUntilReady(app: string, timeoutMs = 120_000): Promise<void> {
  const url = `http://127.0.0.1:${SERVICE_PORTS[app]?.http}/readyz`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${app} did not become ready within ${timeoutMs / 1000} s (${url})`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

main().catch((error: unknown) => {
  process.stderr.write(`[nexus] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
