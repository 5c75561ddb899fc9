/**
 * `npm start`: the whole platform on this machine. Brings up the local stack
 * (embedded PostgreSQL on 127.0.0.1:5433 and a KRaft Kafka on 127.0.0.1:9092)
 * unless DATABASE_URL / KAFKA_BROKERS point elsewhere, migrates every schema as
 * the owner, gives each service its own database role (infra/db/roles.sql),
 * starts every service connected as its role, and prints where each listens.
 * Ctrl-C stops everything. Data lives in .nexus/ (ignored by git; NEXUS_DATA_DIR
 * elsewhere). The work is startLocalPlatform's (tools/local-platform.ts); this
 * file is the terminal.
 */
import { stackDataDir } from './cli/stack-state';
import { DEV_ADMIN, startLocalPlatform, type LocalPlatform } from './local-platform';

const say = (message: string) => process.stdout.write(`[nexus] ${message}\n`);

async function main(): Promise<void> {
  if (process.env.NODE_ENV === 'production')
    throw new Error('npm start is the development stack; run the services directly in production');

  const platform = await startLocalPlatform({
    env: process.env,
    // .nexus/ (or NEXUS_DATA_DIR), where `nexus db ...` finds this stack while it runs.
    dataDir: stackDataDir(process.env),
    stackPorts: { postgres: 5433, kafka: 9092 },
    log: say,
    output: (app, line) => process.stdout.write(`[${app}] ${line}\n`),
  });
  const stopAll = async (code: number) => {
    say('stopping...');
    await platform.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  void platform.exited.then(({ app, code }) => {
    say(`${app} exited with code ${code}; stopping the platform`);
    void stopAll(1);
  });
  printReady(platform);
}

function printReady(platform: LocalPlatform): void {
  say('ready:');
  for (const { app, ports, role } of platform.apps) {
    const grpc = ports.grpc ? `gRPC 127.0.0.1:${ports.grpc}  ` : '';
    say(
      `  ${app.padEnd(10)} ${grpc}HTTP http://127.0.0.1:${ports.http}  (/healthz /readyz /metrics; database role ${role})`,
    );
  }
  say(`  postgres   ${redact(platform.ownerUrl)} (owner: migrations and roles)`);
  say(`  kafka      ${platform.kafkaBrokers}`);
  const adminPassword = platform.apps[0]?.env.NEXUS_ADMIN_PASSWORD;
  say(
    `first admin: ${platform.apps[0]?.env.NEXUS_ADMIN_EMAIL} / ${adminPassword === DEV_ADMIN.password ? DEV_ADMIN.password : '(from NEXUS_ADMIN_PASSWORD)'}`,
  );
  const analytics = platform.apps.find(({ app }) => app === 'analytics');
  if (analytics) {
    say(
      `analytics dashboard: http://127.0.0.1:${analytics.ports.http}/ (sign in as the first admin, or any manager)`,
    );
  }
  say('Ctrl-C stops everything.');
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
