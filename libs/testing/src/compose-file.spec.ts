/**
 * Keeps docker-compose.yml in step with the apps: every runnable app
 * (apps/<name>/src/main.ts) must appear as a compose service, built from the
 * shared Dockerfile, publishing the ports its config.ts defaults to, started only
 * after the migrations, and given Postgres and Kafka, each as its own database
 * role while only the migrate service connects as the owner. Reads files only:
 * no Docker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  REPO_ROOT as ROOT,
  appSchema,
  databaseUser,
  defaultPorts,
  envPrefix,
  runnableApps,
} from './app-ports';

type Dict = Record<string, unknown>;

interface ComposeService {
  command?: string | string[];
  build?: string | { context?: string; dockerfile?: string; args?: Dict | string[] };
  ports?: (string | number | { published?: string | number; target?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Dict | string[];
}

function readCompose(): Record<string, ComposeService> {
  const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
  // merge: the services share their environment through a `<<: *service-env` key.
  const compose = parse(text, { merge: true }) as { services?: Record<string, ComposeService> };
  return compose.services ?? {};
}

/** Port mappings as "published:target", from the short ("[ip:]host:container[/tcp]") or long syntax. */
function portMappings(service: ComposeService): string[] {
  return (service.ports ?? [])
    .map((entry) => {
      if (typeof entry === 'object') return `${entry.published ?? ''}:${entry.target ?? ''}`;
      const parts = String(entry)
        .replace(/\/(tcp|udp)$/, '')
        .split(':');
      return parts.length === 1
        ? `:${parts[0]}`
        : `${parts[parts.length - 2]}:${parts[parts.length - 1]}`;
    })
    .sort();
}

function environment(service: ComposeService): Dict {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(
    env.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]),
  );
}

function buildArgs(service: ComposeService): Dict {
  if (typeof service.build !== 'object') return {};
  const args = service.build.args ?? {};
  if (!Array.isArray(args)) return args;
  return Object.fromEntries(
    args.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]),
  );
}

const services = readCompose();
const apps = runnableApps();

it('finds the runnable apps it checks', () => {
  expect(apps.length).toBeGreaterThan(0);
});

describe.each(apps)('the %s app in docker-compose.yml', (app) => {
  const service = (): ComposeService => {
    const found = services[app];
    if (!found) throw new Error(`docker-compose.yml has no service "${app}" for apps/${app}`);
    return found;
  };

  it('has a service of the same name, built from the root Dockerfile with SERVICE set to the app', () => {
    const { build } = service();
    expect(typeof build).toBe('object');
    if (typeof build !== 'object') return;
    expect(path.resolve(ROOT, build.context ?? '.')).toBe(ROOT);
    expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    expect(String(buildArgs(service()).SERVICE)).toBe(app);
  });

  it('publishes the ports its config.ts defaults to, on the same host ports', () => {
    const { grpc, http } = defaultPorts(app);
    // Every service has the ops HTTP port; no match means the regex lost track of config.ts.
    expect(http).toBeDefined();
    const expected = [grpc, http].filter((p) => p !== undefined).map((p) => `${p}:${p}`);
    expect(portMappings(service())).toEqual(expected.sort());
  });

  it('listens inside the container on the ports it publishes', () => {
    const env = environment(service());
    const prefix = envPrefix(app);
    const { grpc, http } = defaultPorts(app);
    // Unset means the config.ts default, which the previous test ties to the mapping.
    for (const [name, port] of [
      [`${prefix}_GRPC_PORT`, grpc],
      [`${prefix}_HTTP_PORT`, http],
    ] as const) {
      if (env[name] !== undefined && env[name] !== null) expect(Number(env[name])).toBe(port);
    }
  });

  it('starts only after the migrate service has completed successfully', () => {
    const dependsOn = service().depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn)).toBe(false); // the list form cannot state a condition
    expect((dependsOn as Record<string, { condition?: string }>).migrate?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it('is given DATABASE_URL and KAFKA_BROKERS', () => {
    expect(Object.keys(environment(service()))).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'KAFKA_BROKERS']),
    );
  });

  it('connects as its own database role (nexus_<schema>), never as the owner', () => {
    expect(databaseUser(environment(service()).DATABASE_URL)).toBe(`nexus_${appSchema(app)}`);
  });
});

describe('the migrate service in docker-compose.yml', () => {
  const migrate = (): ComposeService => {
    const found = services.migrate;
    if (!found) throw new Error('docker-compose.yml has no migrate service');
    return found;
  };
  const command = (): string => {
    const { command: given } = migrate();
    return Array.isArray(given) ? given.join(' ') : String(given ?? '');
  };

  it('connects as the owner: the PostgreSQL superuser of the postgres service', () => {
    const owner = environment(services.postgres ?? {}).POSTGRES_USER;
    expect(owner).toBeDefined();
    expect(databaseUser(environment(migrate()).DATABASE_URL)).toBe(owner);
    expect(
      apps.map((app) => databaseUser(environment(services[app] ?? {}).DATABASE_URL)),
    ).not.toContain(owner);
  });

  it('runs every migration and then sets up the service roles (nexus db roles)', () => {
    expect(command()).toMatch(
      /dist\/tools\/nexus\/main\.js db migrate all && .*dist\/tools\/nexus\/main\.js db roles$/,
    );
  });

  it.each(apps)(
    "gets %s's own DATABASE_URL as <SERVICE>_DATABASE_URL, so that its role gets the password the service uses",
    (app) => {
      const own = environment(services[app] ?? {}).DATABASE_URL;
      expect(own).toBeDefined();
      expect(environment(migrate())[`${envPrefix(app)}_DATABASE_URL`]).toBe(own);
    },
  );
});
