/**
 * `nx affected` selects what a change can break, and no more: the projects
 * whose tests start an app as a process (implicitDependencies), and those whose
 * tests read the container, cluster and database files (the `infra` project and
 * target inputs). Each case asks `nx show projects --affected --files=<path>`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const NX = path.join(ROOT, 'node_modules/.bin/nx');

function affectedBy(file: string): string[] {
  const output = execFileSync(NX, ['show', 'projects', '--affected', `--files=${file}`, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
  });
  return (JSON.parse(output) as string[]).sort();
}

const APPS = ['ai-usage', 'analytics', 'bench', 'comms', 'content', 'e2e', 'users', 'work'];

describe.each([
  // users plus everything whose tests start it; ai-usage through libs/testing,
  // whose startUsersProcess runs apps/users for whoever imports it.
  ['apps/users/src/main.ts', [...APPS, 'infra', 'testing', 'tools'].sort()],
  // e2e, the nexus CLI's tests and the workspace bench start every service.
  ['apps/content/src/content.app.ts', ['bench', 'content', 'e2e', 'tools']],
  ['apps/analytics/src/main.ts', ['analytics', 'bench', 'e2e', 'infra', 'tools']],
  ['apps/work/src/config.ts', ['bench', 'e2e', 'infra', 'tools', 'work']],
  // The per-service database roles: e2e's checks, and npm start's (tools) that applies them.
  ['infra/db/roles.sql', ['e2e', 'infra', 'tools']],
  // The compose and Kubernetes checks are infra:test.
  ['docker-compose.yml', ['infra']],
  ['Dockerfile', ['infra']],
  ['infra/k8s/users.yaml', ['infra']],
  ['infra/k8s/kustomization.yaml', ['infra']],
  ['tools/nexus.ts', ['tools']],
])('a change to %s', (file, expected) => {
  it(`selects exactly ${expected.join(', ')}`, () => {
    expect(affectedBy(file)).toEqual(expected);
  });
});

describe.each([
  // Every project depends on core but the other layer-0 libs, stack and infra.
  [
    'libs/core/src/index.ts',
    ['core', 'db', 'events', 'grpc', 'runtime', 'testing', 'tools', ...APPS],
    ['proto', 'config', 'ops', 'stack', 'infra'],
  ],
  // The service registry: the deployment checks (infra) read it, as do tools and the services.
  ['libs/config/src/service-ports.ts', ['config', 'infra', 'tools'], ['core', 'proto', 'ops']],
  // The Kafka broker of every test run: stack and all that starts it.
  [
    'infra/kafka/pom.xml',
    ['stack', 'testing', 'tools', 'infra', ...APPS],
    ['core', 'db', 'events', 'grpc', 'runtime', 'clients', 'proto', 'config', 'ops'],
  ],
])('a change to %s', (file, selected, notSelected) => {
  it(`selects its dependents (${selected.join(', ')}) and not ${notSelected.join(', ')}`, () => {
    const affected = affectedBy(file);
    expect(affected).toEqual(expect.arrayContaining(selected));
    for (const project of notSelected) expect(affected).not.toContain(project);
  });
});
