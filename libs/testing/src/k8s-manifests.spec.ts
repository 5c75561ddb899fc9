/**
 * Keeps the Kubernetes manifests (infra/k8s) in step with the apps: every runnable
 * app (apps/<name>/src/main.ts) must have a Deployment and a Service in
 * infra/k8s/<name>.yaml, running the nexus-<name> image, listening on the ports its
 * config.ts defaults to, probed on its ops HTTP port, given Postgres and Kafka; the
 * migrate Job must exist and alone connect as the database owner while each service
 * connects as its own role, every autoscaler must scale a Deployment, and
 * kustomization.yaml must list every manifest. Manifests may run ahead of the apps
 * only for the services docs/architecture.md plans. Without kubectl or kubeconform in
 * the test run, it also checks the structure a cluster would reject: kinds and
 * apiVersions, names, selectors against pod labels, references to ConfigMap and
 * Secret keys, string values. Reads files only: no cluster.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICE_PORTS } from '@nexus/config';
import {
  REPO_ROOT,
  appSchema,
  databaseUser,
  defaultPorts,
  envPrefix,
  runnableApps,
  type AppPorts,
} from './app-ports';

const K8S = path.join(REPO_ROOT, 'infra', 'k8s');
const NAMESPACE = 'nexus';
const KUSTOMIZATION = 'kustomization.yaml';
/** The keys of the Secret nexus-secrets, with placeholders; never applied by kustomize. */
const SECRET_TEMPLATE = 'secret.example.yaml';
const SECRET = 'nexus-secrets';
/** The Secret key of the owner's URL: the migrate Job's, no service's. */
const OWNER_URL_KEY = 'DATABASE_URL';

/** The services of the one registry and their ports, for manifests of apps not built yet. */
const PLANNED: Readonly<Record<string, AppPorts>> = SERVICE_PORTS;

/** The kinds used here, with the apiVersion current clusters serve them under. */
const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  Job: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
};

const NODE_USER = 1000; // the image's USER node (Dockerfile)

type Labels = Record<string, string>;

interface KeyRef {
  name?: string;
  key?: string;
  optional?: boolean;
}

interface EnvVar {
  name?: string;
  value?: unknown;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef };
}

interface EnvFrom {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}

interface Container {
  name?: string;
  image?: string;
  command?: string[];
  ports?: { name?: string; containerPort?: number }[];
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
  };
  volumeMounts?: { name?: string; mountPath?: string }[];
}

interface PodTemplate {
  metadata?: { labels?: Labels };
  spec?: {
    restartPolicy?: string;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers?: Container[];
    volumes?: {
      name?: string;
      emptyDir?: object;
      persistentVolumeClaim?: { claimName?: string };
    }[];
  };
}

interface Manifest {
  /** Where it came from: the file in infra/k8s. */
  file: string;
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Labels };
  spec?: unknown;
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}

interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Labels };
  template?: PodTemplate;
}

interface ServiceSpec {
  selector?: Labels;
  ports?: { name?: string; port?: number; targetPort?: string | number }[];
}

interface JobSpec {
  backoffLimit?: number;
  ttlSecondsAfterFinished?: number;
  template?: PodTemplate;
}

interface HpaSpec {
  scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: {
    type?: string;
    resource?: { name?: string; target?: { type?: string; averageUtilization?: number } };
  }[];
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
}

function manifestFiles(): string[] {
  return readdirSync(K8S)
    .filter((file) => /\.ya?ml$/.test(file) && file !== KUSTOMIZATION)
    .sort();
}

/** Every document of every manifest file (multi-document YAML), empty documents skipped. */
function readManifests(): Manifest[] {
  return manifestFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8')).flatMap((document) => {
      if (document.errors.length > 0) {
        throw new Error(`infra/k8s/${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      }
      const value: unknown = document.toJS();
      return value === null || value === undefined
        ? []
        : [{ ...(value as Omit<Manifest, 'file'>), file }];
    }),
  );
}

function readKustomization(): Kustomization {
  return parse(readFileSync(path.join(K8S, KUSTOMIZATION), 'utf8')) as Kustomization;
}

const manifests = readManifests();
const kustomization = readKustomization();
const apps = runnableApps();

const named = (kind: string, name: string): Manifest | undefined =>
  manifests.find((m) => m.kind === kind && m.metadata?.name === name);
const ofKind = (kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);
const label = (m: Manifest): string => `${m.kind}/${m.metadata?.name} (${m.file})`;

const deployments = ofKind('Deployment');
const deploymentSpec = (m: Manifest): DeploymentSpec =>
  (m.spec as DeploymentSpec | undefined) ?? {};
const serviceSpec = (m: Manifest): ServiceSpec => (m.spec as ServiceSpec | undefined) ?? {};
const hpaSpec = (m: Manifest): HpaSpec => (m.spec as HpaSpec | undefined) ?? {};
const podTemplate = (m: Manifest): PodTemplate =>
  (m.spec as { template?: PodTemplate } | undefined)?.template ?? {};
const containers = (m: Manifest): Container[] => podTemplate(m).spec?.containers ?? [];
/** The workloads' pod templates: every Deployment and Job. */
const workloads = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job');

/** Whether every label of the selector is on the pods. */
function selects(selector: Labels | undefined, labels: Labels | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels?.[key] === value);
}

/** `registry/path/nexus-users:tag@sha256:...` -> `nexus-users`. */
function imageName(image: string | undefined): string | undefined {
  const withoutDigest = image?.split('@')[0];
  const lastSegment = withoutDigest?.split('/').pop();
  return lastSegment?.split(':')[0];
}

/** The keys a ConfigMap or Secret defines (the Secret's from its template). */
function keysOf(kind: 'ConfigMap' | 'Secret', name: string | undefined): string[] {
  const source = name === undefined ? undefined : named(kind, name);
  return source ? [...Object.keys(source.data ?? {}), ...Object.keys(source.stringData ?? {})] : [];
}

/** The variables a container gets: its own env and everything envFrom brings in. */
function environmentNames(container: Container): string[] {
  const fromSources = (container.envFrom ?? []).flatMap((source) => {
    const keys = source.configMapRef
      ? keysOf('ConfigMap', source.configMapRef.name)
      : keysOf('Secret', source.secretRef?.name);
    return keys.map((key) => `${source.prefix ?? ''}${key}`);
  });
  return [...fromSources, ...(container.env ?? []).map((variable) => variable.name ?? '')];
}

/** The literal value of a variable: set directly, or from the ConfigMap through envFrom. */
function literalValue(container: Container, name: string): unknown {
  const direct = (container.env ?? []).find((variable) => variable.name === name);
  if (direct) return direct.value;
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef?.name) continue;
    const value = named('ConfigMap', source.configMapRef.name)?.data?.[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The Secret key a variable is read from, when it is read from nexus-secrets. */
function secretKeyOf(container: Container, name: string): string | undefined {
  const ref = (container.env ?? []).find((variable) => variable.name === name)?.valueFrom
    ?.secretKeyRef;
  return ref?.name === SECRET ? ref.key : undefined;
}

/** A key's placeholder value in the Secret template (secret.example.yaml). */
function secretTemplateValue(key: string): unknown {
  return named('Secret', SECRET)?.stringData?.[key];
}

function containerPorts(container: Container): Record<string, number> {
  return Object.fromEntries(
    (container.ports ?? []).map((port) => [port.name ?? '', port.containerPort ?? NaN]),
  );
}

/** A port given by name or number, as the container port number it means. */
function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  return typeof port === 'number'
    ? port
    : port === undefined
      ? undefined
      : containerPorts(container)[port];
}

it('finds the runnable apps and the manifests it checks', () => {
  expect(apps.length).toBeGreaterThan(0);
  expect(deployments.length).toBeGreaterThan(0);
});

describe('every manifest in infra/k8s', () => {
  it.each(manifests.map((m) => [label(m), m] as const))(
    '%s has a known kind with its current apiVersion and a DNS-1123 name',
    (_label, manifest) => {
      expect(Object.keys(API_VERSIONS)).toContain(manifest.kind);
      expect(manifest.apiVersion).toBe(API_VERSIONS[manifest.kind ?? '']);
      expect(manifest.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(manifest.metadata?.name?.length).toBeLessThanOrEqual(63);
    },
  );

  it('puts every resource but the Namespace itself in the nexus namespace, which it defines', () => {
    expect(named('Namespace', NAMESPACE)).toBeDefined();
    const elsewhere = manifests
      .filter((m) => m.kind !== 'Namespace' && m.metadata?.namespace !== NAMESPACE)
      .map(label);
    expect(elsewhere).toEqual([]);
  });

  it('names no two resources of the same kind alike', () => {
    const keys = manifests.map((m) => `${m.kind}/${m.metadata?.name}`);
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
  });

  it('gives ConfigMap and Secret data and env values as strings (a cluster rejects numbers and booleans)', () => {
    const offending = [
      ...manifests.flatMap((m) =>
        Object.entries({ ...m.data, ...m.stringData })
          .filter(([, value]) => typeof value !== 'string')
          .map(([key]) => `${label(m)} ${key}`),
      ),
      ...workloads.flatMap((m) =>
        containers(m).flatMap((container) =>
          (container.env ?? [])
            .filter((variable) => variable.valueFrom === undefined)
            .filter((variable) => typeof variable.value !== 'string')
            .map((variable) => `${label(m)} env ${variable.name}`),
        ),
      ),
    ];
    expect(offending).toEqual([]);
  });

  it('refers only to ConfigMaps, Secrets and keys that the manifests define, unless marked optional', () => {
    const missing = workloads.flatMap((m) =>
      containers(m).flatMap((container) => [
        ...(container.envFrom ?? [])
          .filter((source) => !(source.configMapRef?.optional ?? source.secretRef?.optional))
          .filter((source) =>
            source.configMapRef
              ? !named('ConfigMap', source.configMapRef.name ?? '')
              : !named('Secret', source.secretRef?.name ?? ''),
          )
          .map((source) => `${label(m)} envFrom ${JSON.stringify(source)}`),
        ...(container.env ?? []).flatMap((variable) => {
          const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
          const ref = secretKeyRef ?? configMapKeyRef;
          if (!ref || ref.optional) return [];
          const keys = keysOf(secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
          return keys.includes(ref.key ?? '') ? [] : [`${label(m)} ${variable.name}`];
        }),
      ]),
    );
    expect(missing).toEqual([]);
  });

  it('mounts only volumes its pods declare and claims only PersistentVolumeClaims it defines', () => {
    const problems = workloads.flatMap((m) => {
      const volumes = podTemplate(m).spec?.volumes ?? [];
      const names = volumes.map((volume) => volume.name);
      return [
        ...containers(m).flatMap((container) =>
          (container.volumeMounts ?? [])
            .filter((mount) => !names.includes(mount.name))
            .map((mount) => `${label(m)} mounts unknown volume ${mount.name}`),
        ),
        ...volumes
          .filter((volume) => volume.persistentVolumeClaim)
          .filter(
            (volume) =>
              !named('PersistentVolumeClaim', volume.persistentVolumeClaim?.claimName ?? ''),
          )
          .map((volume) => `${label(m)} claims unknown ${volume.persistentVolumeClaim?.claimName}`),
      ];
    });
    expect(problems).toEqual([]);
  });
});

describe('every workload (Deployments and the migrate Job)', () => {
  const rows = workloads.map((m) => [label(m), m] as const);

  it.each(rows)(
    '%s runs as the non-root node user with a read-only root filesystem and a writable /tmp',
    (_label, m) => {
      const pod = podTemplate(m).spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBe(NODE_USER);
      for (const container of containers(m)) {
        expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        // The one writable path under a read-only root filesystem.
        const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
        expect(tmp).toBeDefined();
        expect(pod?.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
      }
    },
  );

  it.each(rows)('%s requests and limits CPU and memory', (_label, m) => {
    for (const container of containers(m)) {
      expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources?.limits ?? {})).toEqual(
        expect.arrayContaining(['memory']),
      );
    }
  });
});

/** Apps that exist, plus planned services whose manifests run ahead of them. */
const targets = [
  ...new Set([
    ...apps,
    ...deployments
      .map((m) => m.metadata?.name ?? '')
      .filter((name) => Object.hasOwn(PLANNED, name)),
  ]),
].sort();

describe.each(targets)('the %s service in infra/k8s', (app) => {
  const exists = apps.includes(app);
  const expected: AppPorts = exists ? defaultPorts(app) : (PLANNED[app] ?? {});
  const prefix = envPrefix(app);
  const source = exists ? 'its config.ts defaults to' : 'docs/architecture.md gives it';
  const portNames = expected.grpc === undefined ? 'http (no gRPC)' : 'grpc and http';
  const portVariables =
    expected.grpc === undefined
      ? `${prefix}_HTTP_PORT`
      : `${prefix}_GRPC_PORT and ${prefix}_HTTP_PORT`;

  const deployment = (): Manifest => {
    const found = named('Deployment', app);
    if (!found) throw new Error(`infra/k8s has no Deployment "${app}" for apps/${app}`);
    return found;
  };
  const service = (): Manifest => {
    const found = named('Service', app);
    if (!found) throw new Error(`infra/k8s has no Service "${app}" for apps/${app}`);
    return found;
  };
  const container = (): Container => {
    const all = containers(deployment());
    expect(all).toHaveLength(1);
    return all[0] ?? {};
  };

  it(`has a Deployment and a Service of the same name in infra/k8s/${app}.yaml`, () => {
    expect(deployment().file).toBe(`${app}.yaml`);
    expect(service().file).toBe(`${app}.yaml`);
  });

  it(`runs the nexus-${app} image (docker build --build-arg SERVICE=${app} -t nexus-${app})`, () => {
    expect(imageName(container().image)).toBe(`nexus-${app}`);
  });

  it(`declares the ports ${source}, named ${portNames}`, () => {
    // Every service has the ops HTTP port; none means the regex lost track of config.ts.
    expect(expected.http).toBeDefined();
    const wanted: Record<string, number> = { http: expected.http ?? NaN };
    if (expected.grpc !== undefined) wanted.grpc = expected.grpc;
    expect(containerPorts(container())).toEqual(wanted);
  });

  it(`sets ${portVariables} to the ports it declares`, () => {
    const env = (container().env ?? []).filter((variable) =>
      [`${prefix}_GRPC_PORT`, `${prefix}_HTTP_PORT`].includes(variable.name ?? ''),
    );
    const wanted = [
      ...(expected.grpc === undefined ? [] : [[`${prefix}_GRPC_PORT`, String(expected.grpc)]]),
      [`${prefix}_HTTP_PORT`, String(expected.http)],
    ];
    expect(env.map((variable) => [variable.name, variable.value]).sort()).toEqual(wanted.sort());
  });

  it('probes /healthz for liveness and start-up and /readyz for readiness, on the http port', () => {
    const { livenessProbe, readinessProbe, startupProbe } = container();
    for (const [probe, wantedPath] of [
      [livenessProbe, '/healthz'],
      [startupProbe, '/healthz'],
      [readinessProbe, '/readyz'],
    ] as const) {
      expect(probe?.httpGet?.path).toBe(wantedPath);
      expect(resolvePort(container(), probe?.httpGet?.port)).toBe(expected.http);
    }
  });

  it('is given DATABASE_URL, KAFKA_BROKERS, JWT_PUBLIC_KEY and PAGE_TOKEN_SECRET, directly or through envFrom', () => {
    expect(environmentNames(container())).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'KAFKA_BROKERS',
        'JWT_PUBLIC_KEY',
        'PAGE_TOKEN_SECRET',
      ]),
    );
  });

  it('runs in production mode and leaves the migrations to the migrate Job', () => {
    expect(literalValue(container(), 'NODE_ENV')).toBe('production');
    expect(literalValue(container(), 'MIGRATE_ON_START')).toBe('false');
  });

  it(`connects as its own database role: DATABASE_URL from the Secret key ${prefix}_DATABASE_URL, never the owner's`, () => {
    expect(secretKeyOf(container(), 'DATABASE_URL')).toBe(`${prefix}_DATABASE_URL`);
    const schema = exists ? appSchema(app) : app.replace(/-/g, '_');
    expect(databaseUser(secretTemplateValue(`${prefix}_DATABASE_URL`))).toBe(`nexus_${schema}`);
    // Not through envFrom either: the whole Secret would bring the owner's URL.
    expect((container().envFrom ?? []).filter((source) => source.secretRef)).toEqual([]);
  });

  it(
    app === 'users'
      ? 'gets JWT_PRIVATE_KEY: it signs the tokens'
      : 'does not get JWT_PRIVATE_KEY: only the users service signs tokens',
    () => {
      expect(environmentNames(container()).includes('JWT_PRIVATE_KEY')).toBe(app === 'users');
    },
  );

  it('selects its own pods with its Deployment selector, as its Service does', () => {
    const { selector, template } = deploymentSpec(deployment());
    expect(selects(selector?.matchLabels, template?.metadata?.labels)).toBe(true);
    expect(selects(serviceSpec(service()).selector, template?.metadata?.labels)).toBe(true);
  });

  it('exposes the same ports through its Service, under the same numbers and names', () => {
    const ports = serviceSpec(service()).ports ?? [];
    const exposed = Object.fromEntries(
      ports.map((port): [string, unknown] => [
        port.name ?? '',
        [port.port, resolvePort(container(), port.targetPort)],
      ]),
    );
    const wanted = Object.fromEntries(
      Object.entries(containerPorts(container())).map(([name, port]) => [name, [port, port]]),
    );
    expect(exposed).toEqual(wanted);
  });

  if (expected.grpc !== undefined) {
    it(`is found by callers at ${prefix}_GRPC_ADDRESS in the ConfigMap, its Service's gRPC port`, () => {
      const addresses = ofKind('ConfigMap').map((m) => m.data?.[`${prefix}_GRPC_ADDRESS`]);
      expect(addresses).toContain(`${app}:${expected.grpc}`);
    });
  }
});

describe('the service registry (@nexus/config SERVICE_PORTS)', () => {
  it.each(apps.filter((app) => Object.hasOwn(SERVICE_PORTS, app)))(
    'gives %s the ports its config.ts defaults to',
    (app) => {
      const { grpc, http } = defaultPorts(app);
      expect({ grpc, http }).toEqual({
        grpc: SERVICE_PORTS[app]?.grpc,
        http: SERVICE_PORTS[app]?.http,
      });
    },
  );

  it('names every runnable app', () => {
    expect(apps.filter((app) => !Object.hasOwn(SERVICE_PORTS, app))).toEqual([]);
  });
});

describe('the other services', () => {
  it('have manifests only for runnable apps or for services docs/architecture.md plans', () => {
    const unknown = deployments
      .map((m) => m.metadata?.name ?? '')
      .filter((name) => !apps.includes(name) && !Object.hasOwn(PLANNED, name));
    expect(unknown).toEqual([]);
  });

  it.each(ofKind('Service').map((m) => [label(m), m] as const))(
    '%s selects the pods of exactly one Deployment',
    (_label, m) => {
      const matching = deployments.filter((d) =>
        selects(serviceSpec(m).selector, deploymentSpec(d).template?.metadata?.labels),
      );
      expect(matching.map(label)).toHaveLength(1);
    },
  );

  it.each(deployments.map((m) => [label(m), m] as const))(
    '%s has a selector that matches its pod template labels',
    (_label, m) => {
      const { selector, template } = deploymentSpec(m);
      expect(selects(selector?.matchLabels, template?.metadata?.labels)).toBe(true);
    },
  );

  it.each(ofKind('PodDisruptionBudget').map((m) => [label(m), m] as const))(
    '%s covers the pods of exactly one Deployment',
    (_label, m) => {
      const selector = (m.spec as { selector?: { matchLabels?: Labels } } | undefined)?.selector;
      const matching = deployments.filter((d) =>
        selects(selector?.matchLabels, deploymentSpec(d).template?.metadata?.labels),
      );
      expect(matching).toHaveLength(1);
    },
  );
});

describe('the migrate Job', () => {
  const job = (): Manifest => {
    const jobs = ofKind('Job');
    expect(jobs).toHaveLength(1);
    return jobs[0];
  };
  const migrate = (): Container => containers(job())[0] ?? {};

  it('runs `nexus db migrate all` then `nexus db roles` from the nexus-users image, as docker-compose.yml does', () => {
    expect(containers(job())).toHaveLength(1);
    expect(imageName(migrate().image)).toBe('nexus-users');
    expect(migrate().command).toEqual([
      'sh',
      '-c',
      'node dist/tools/nexus/main.js db migrate all && node dist/tools/nexus/main.js db roles',
    ]);
  });

  it("connects as the owner (the Secret's DATABASE_URL), which is no service role and no service's key", () => {
    expect(secretKeyOf(migrate(), 'DATABASE_URL')).toBe(OWNER_URL_KEY);
    const owner = databaseUser(secretTemplateValue(OWNER_URL_KEY));
    expect(owner).toBeDefined();
    expect(owner).not.toMatch(/^nexus_/);
    const readers = deployments.filter((m) =>
      containers(m).some((container) =>
        (container.env ?? []).some(
          (variable) =>
            variable.valueFrom?.secretKeyRef?.name === SECRET &&
            variable.valueFrom.secretKeyRef.key === OWNER_URL_KEY,
        ),
      ),
    );
    expect(readers.map(label)).toEqual([]);
  });

  it.each(apps)(
    "reads %s's URL from the key the service reads, to set the password of the service's role",
    (app) => {
      const key = `${envPrefix(app)}_DATABASE_URL`;
      expect(secretKeyOf(migrate(), key)).toBe(key);
      const service = named('Deployment', app);
      expect(service && secretKeyOf(containers(service)[0] ?? {}, 'DATABASE_URL')).toBe(key);
    },
  );

  it('gives up after a bounded number of attempts and is cleaned up once finished', () => {
    const spec = (job().spec as JobSpec | undefined) ?? {};
    expect(spec.backoffLimit).toEqual(expect.any(Number));
    expect(spec.ttlSecondsAfterFinished).toEqual(expect.any(Number));
    expect(['Never', 'OnFailure']).toContain(spec.template?.spec?.restartPolicy);
  });
});

describe('the HorizontalPodAutoscalers', () => {
  const autoscalers = ofKind('HorizontalPodAutoscaler');
  const scaled = (): string[] => autoscalers.map((m) => hpaSpec(m).scaleTargetRef?.name ?? '');

  it.each(autoscalers.map((m) => [label(m), m] as const))(
    '%s scales an existing Deployment between 2 and 10 replicas at 70% CPU',
    (_label, m) => {
      const spec = hpaSpec(m);
      expect(spec.scaleTargetRef).toEqual(
        expect.objectContaining({ apiVersion: 'apps/v1', kind: 'Deployment' }),
      );
      expect(named('Deployment', spec.scaleTargetRef?.name ?? '')).toBeDefined();
      expect([spec.minReplicas, spec.maxReplicas]).toEqual([2, 10]);
      expect(spec.metrics).toEqual([
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ]);
    },
  );

  it('scale every Deployment with a gRPC port, each by one autoscaler', () => {
    const grpcDeployments = deployments
      .filter((m) => containers(m).some((container) => 'grpc' in containerPorts(container)))
      .map((m) => m.metadata?.name ?? '');
    expect(grpcDeployments.length).toBeGreaterThan(0);
    expect([...scaled()].sort()).toEqual(expect.arrayContaining(grpcDeployments.sort()));
    expect(new Set(scaled()).size).toBe(scaled().length);
  });

  it('leave the replica count to the autoscaler (no fixed replicas) and have CPU requests to scale on', () => {
    for (const name of scaled()) {
      const target = named('Deployment', name);
      if (!target) continue; // reported by the test above
      expect(deploymentSpec(target).replicas).toBeUndefined();
      for (const container of containers(target)) {
        expect(container.resources?.requests?.cpu).toBeDefined();
      }
    }
  });
});

describe('kustomization.yaml', () => {
  it('lists every manifest file in infra/k8s once, and only files that exist', () => {
    const resources = kustomization.resources ?? [];
    expect(new Set(resources).size).toBe(resources.length);
    expect([...resources].sort()).toEqual(
      manifestFiles().filter((file) => file !== SECRET_TEMPLATE),
    );
  });

  it('leaves out the Secret template, so that applying it never overwrites the real Secret', () => {
    expect(kustomization.resources ?? []).not.toContain(SECRET_TEMPLATE);
    const template = manifests.filter((m) => m.file === SECRET_TEMPLATE);
    expect(template.map((m) => `${m.kind}/${m.metadata?.name}`)).toEqual(['Secret/nexus-secrets']);
  });

  it('sets the nexus namespace', () => {
    expect(kustomization.namespace).toBe(NAMESPACE);
  });
});
