/**
 * What `npm start` runs (tools/start.ts is its terminal front): the local stack,
 * the migrations as the owner, each service's own database role, then every
 * service as its own process connected as that role. Tests call the same
 * function (tools/local-platform.int-spec.ts).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { migrate } from '@nexus/db';
import {
  provisionServiceRoles,
  serviceRoleName,
  startLocalStack,
  type LocalStack,
} from '@nexus/stack';
import { withServiceDatabase } from './cli/database';
import { clearStackState, readRunningStack, writeStackState } from './cli/stack-state';
import { developmentKeys } from './dev-secrets';
import {
  ROOT,
  SERVICE_PORTS,
  listRunnableApps,
  listServices,
  loadServiceDatabase,
} from './service-registry';

export const DEV_ADMIN = { email: 'admin@nexus.local', password: 'nexus-admin-password' };

type Ports = Readonly<Record<string, { grpc?: number; http: number }>>;

export interface LocalPlatformOptions {
  /** The caller's environment; DATABASE_URL / KAFKA_BROKERS there mean "use these". */
  env: NodeJS.ProcessEnv;
  /** .nexus/ for npm start: the local stack's data, the development keys. */
  dataDir: string;
  log: (message: string) => void;
  /** Each app's output lines; npm start prefixes them with the app's name. */
  output: (app: string, line: string) => void;
  /** Where each app listens; npm start uses the registry's defaults. */
  ports?: Ports;
  /** The local stack's ports when npm start starts it (5433 and 9092). */
  stackPorts?: { postgres: number; kafka: number };
}

export interface PlatformApp {
  app: string;
  /** Its schema, and the role it connects as (nexus_<schema>). */
  schema: string;
  role: string;
  ports: { grpc?: number; http: number };
  /** The environment it runs with (its own DATABASE_URL among it). */
  env: NodeJS.ProcessEnv;
  child: ChildProcess;
}

export interface LocalPlatform {
  /** The owner's URL: the migrations and the roles were set up with it. */
  ownerUrl: string;
  kafkaBrokers: string;
  apps: PlatformApp[];
  /** Settles when an app exits while nobody stopped the platform. */
  exited: Promise<{ app: string; code: number | null }>;
  /** Stops the apps, then the local stack if it was started here; safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const { log } = options;
  const env: NodeJS.ProcessEnv = { ...options.env };
  const stack = await bringUpStack(env, options);
  try {
    const ownerUrl = env.DATABASE_URL as string;
    const kafkaBrokers = env.KAFKA_BROKERS as string;
    fillDevelopmentDefaults(env, options.dataDir);

    const services = listServices().map(loadServiceDatabase);
    for (const service of services) {
      const applied = await withServiceDatabase(service, migrate, ownerUrl);
      log(
        `${service.service}: schema up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`,
      );
    }
    const roleUrls = await provisionServiceRoles(
      ownerUrl,
      services.map((service) => service.schema),
      options.dataDir,
    );
    log(`database roles: ${services.map((s) => serviceRoleName(s.schema)).join(', ')}`);

    const ports = options.ports ?? SERVICE_PORTS;
    const addresses = peerAddresses(ports);
    // Every app's plan first, so that a missing schema starts nothing.
    const plans = listRunnableApps().map((app) => {
      const service = services.find((s) => s.service === app);
      if (!service) throw new Error(`apps/${app} has no src/database.ts: it would have no role`);
      const appPorts = ports[app];
      if (!appPorts) throw new Error(`no ports for ${app} (libs/config SERVICE_PORTS)`);
      const prefix = app.toUpperCase().replace(/-/g, '_');
      const appEnv: NodeJS.ProcessEnv = {
        ...addresses,
        ...env,
        [`${prefix}_HTTP_PORT`]: String(appPorts.http),
        ...(appPorts.grpc ? { [`${prefix}_GRPC_PORT`]: String(appPorts.grpc) } : {}),
        // Its own role, never the owner's; the owner has migrated already.
        DATABASE_URL: roleUrls[service.schema],
        MIGRATE_ON_START: 'false',
      };
      return {
        app,
        schema: service.schema,
        role: serviceRoleName(service.schema),
        ports: appPorts,
        env: appEnv,
      };
    });
    const apps = plans.map((plan): PlatformApp => ({
      ...plan,
      child: startApp(plan.app, plan.env, options.output),
    }));
    return await watch(apps, ownerUrl, kafkaBrokers, stack);
  } catch (error) {
    await stack?.stop();
    throw error;
  }
}

/**
 * The stack `nexus stack up` runs, or one started here, for whatever env does
 * not name. One started here is recorded in the data dir's state file while it
 * runs, so `nexus db ...` in another terminal finds it without DATABASE_URL.
 */
export async function bringUpStack(
  env: NodeJS.ProcessEnv,
  options: LocalPlatformOptions,
): Promise<LocalStack | undefined> {
  const recorded = readRunningStack(options.dataDir);
  if ((!env.DATABASE_URL || !env.KAFKA_BROKERS) && recorded) {
    if (recorded.startedBy !== 'stack up')
      throw new Error(
        `npm start is already running here (pid ${recorded.pid}); stop it first, or share one stack with \`npx nexus stack up\``,
      );
    options.log(`using the local stack started by \`nexus stack up\` (pid ${recorded.pid})`);
    env.DATABASE_URL ??= recorded.databaseUrl;
    env.KAFKA_BROKERS ??= recorded.kafkaBrokers;
  }
  if (env.DATABASE_URL && env.KAFKA_BROKERS) return undefined;
  options.log(
    'starting the local stack (first run downloads the Kafka broker from Maven Central)...',
  );
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    ephemeral: false,
    postgresPort: options.stackPorts?.postgres,
    kafkaPort: options.stackPorts?.kafka,
    withPostgres: !env.DATABASE_URL,
    withKafka: !env.KAFKA_BROKERS,
    log: options.log,
  });
  env.DATABASE_URL ??= stack.databaseUrl;
  env.KAFKA_BROKERS ??= stack.kafkaBrokers;
  writeStackState(options.dataDir, {
    pid: process.pid,
    startedBy: 'npm start',
    databaseUrl: stack.databaseUrl,
    kafkaBrokers: stack.kafkaBrokers,
  });
  return {
    ...stack,
    stop: async () => {
      try {
        await stack.stop();
      } finally {
        clearStackState(options.dataDir, process.pid);
      }
    },
  };
}

function fillDevelopmentDefaults(env: NodeJS.ProcessEnv, dataDir: string): void {
  if (!env.JWT_PRIVATE_KEY || !env.JWT_PUBLIC_KEY) {
    const keys = developmentKeys(dataDir);
    env.JWT_PRIVATE_KEY = keys.privateKey;
    env.JWT_PUBLIC_KEY = keys.publicKey;
  }
  env.NEXUS_ADMIN_EMAIL ??= DEV_ADMIN.email;
  env.NEXUS_ADMIN_PASSWORD ??= DEV_ADMIN.password;
}

/** `<APP>_GRPC_ADDRESS` of every gRPC app, where its peers and analytics' sign-in find it. */
function peerAddresses(ports: Ports): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ports).flatMap(([app, { grpc }]) =>
      grpc ? [[`${app.toUpperCase().replace(/-/g, '_')}_GRPC_ADDRESS`, `127.0.0.1:${grpc}`]] : [],
    ),
  );
}

function startApp(
  app: string,
  env: NodeJS.ProcessEnv,
  output: LocalPlatformOptions['output'],
): ChildProcess {
  // tsx as a loader (one process): its CLI would SIGKILL a service that is slow
  // to confirm the SIGTERM it relays, cutting its graceful stop short.
  const child = spawn(process.execPath, ['--import', 'tsx', `apps/${app}/src/main.ts`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => output(app, line));
  }
  return child;
}

/** Waits until every app is ready; stops them all if one exits or never gets there. */
async function watch(
  apps: PlatformApp[],
  ownerUrl: string,
  kafkaBrokers: string,
  stack: LocalStack | undefined,
): Promise<LocalPlatform> {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(apps.map(({ child }) => stopChild(child)));
      await stack?.stop();
    })());
  const exited = new Promise<{ app: string; code: number | null }>((resolve) => {
    for (const { app, child } of apps) {
      child.once('exit', (code) => {
        if (!stopping) resolve({ app, code });
      });
    }
  });
  let ready = false;
  const exitedEarly = exited.then(({ app, code }) => {
    if (!ready) throw new Error(`${app} exited with code ${code} before it was ready`);
  });
  exitedEarly.catch(() => undefined); // the race below reports it; later it means nothing
  try {
    await Promise.race([
      Promise.all(apps.map(({ app, ports }) => waitUntilReady(app, ports.http))),
      exitedEarly,
    ]);
    ready = true;
  } catch (error) {
    await Promise.all(apps.map(({ child }) => stopChild(child)));
    throw error;
  }
  return { ownerUrl, kafkaBrokers, apps, exited, stop };
}

async function waitUntilReady(app: string, port: number, timeoutMs = 180_000): Promise<void> {
  const url = `http://127.0.0.1:${port}/readyz`;
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
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
