/**
 * Keeps the monitoring files in step with what the services export: the
 * alert rules pass `promtool check rules` and their own unit tests, a
 * service's /metrics text passes `promtool check metrics`, and every metric
 * the dashboard or an alert queries is one a service registry has. Needs
 * promtool (Debian: `apt-get install prometheus`; .ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ServiceMetrics } from '@nexus/ops';

const PROMETHEUS_DIR = path.join(__dirname, 'prometheus');
const ALERTS = path.join(PROMETHEUS_DIR, 'alerts.yml');
const DASHBOARD = path.join(__dirname, 'grafana', 'nexus.json');

function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { input, encoding: 'utf8', cwd: PROMETHEUS_DIR });
  if (run.error) throw new Error(`promtool did not run (${run.error.message}): install prometheus`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A registry as a service builds it, with calls, a published batch, an outbox and a consumer group. */
async function serviceMetricsText(): Promise<{ metrics: ServiceMetrics; text: string }> {
  const metrics = new ServiceMetrics('work');
  metrics.observeRpc('/nexus.work.v1.TaskService/GetTask', 'OK', 0.003);
  metrics.observeRpc('/nexus.work.v1.TaskService/GetTask', 'NOT_FOUND', 0.002);
  metrics.observeRpc('/nexus.work.v1.TaskService/CreateTask', 'INTERNAL', 0.12);
  metrics.recordPublished(5, 0.04);
  metrics.watchOutbox(
    'work',
    async () => ({ pending: 2, oldestAgeSeconds: 0.5 }),
    () => true,
  );
  metrics.watchConsumerLag('nexus-work', async () => [
    { topic: 'nexus.users.user', partition: 0, lag: 0 },
    { topic: 'nexus.users.user', partition: 1, lag: 3 },
  ]);
  return { metrics, text: await metrics.registry.metrics() };
}

/** The names a registry's samples can have: histograms add _bucket, _count and _sum. */
async function exportedNames(metrics: ServiceMetrics): Promise<Set<string>> {
  const names = new Set<string>();
  for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
    names.add(name);
    if (String(type) === 'histogram') {
      for (const suffix of ['_bucket', '_count', '_sum']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without']);

/**
 * The metric names a PromQL expression selects: what is left once strings,
 * label matchers, ranges and grouping clauses are taken out, minus function
 * names (followed by a parenthesis) and operators.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const after = bare.slice(match.index + match[0].length);
    if (/^\s*\(/.test(after) || PROMQL_KEYWORDS.has(match[0])) continue;
    names.push(match[0]);
  }
  return names;
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
}

function dashboardQueries(dashboard: Dashboard): string[] {
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

function alertExpressions(): { alert: string; expr: string }[] {
  const file = parse(readFileSync(ALERTS, 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return file.groups.flatMap((group) => group.rules);
}

describe('monitoring files', () => {
  it('has alert rules promtool accepts', () => {
    const { status, output } = promtool(['check', 'rules', ALERTS]);
    expect([status, output]).toEqual([0, expect.stringContaining('SUCCESS: 6 rules found')]);
  });

  it('has alerts that fire on the series their unit tests feed them, and only those', () => {
    const { status, output } = promtool(['test', 'rules', 'alerts.test.yml']);
    expect([status, output.trim()]).toEqual([0, expect.stringMatching(/SUCCESS$/)]);
  });

  it("exports /metrics text that passes promtool's lint, with calls, outbox and lag recorded", async () => {
    const { text } = await serviceMetricsText();
    expect(text).toContain('rpc_server_call_duration_seconds_count{');
    expect(text).toContain('nexus_outbox_pending_events{');
    expect(text).toContain('nexus_consumer_lag{');
    expect(promtool(['check', 'metrics'], text)).toEqual({ status: 0, output: '' });
  });

  it('finds every metric the dashboard and the alerts query in a service registry', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const exported = await exportedNames((await serviceMetricsText()).metrics);
    const queried = [
      ...dashboardQueries(dashboard),
      ...alertExpressions().map((rule) => rule.expr),
    ].flatMap(metricNames);
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
      const selected = /^label_values\((\w+),/.exec(query ?? '');
      if (selected) queried.push(selected[1]);
    }
    expect(new Set(queried).size).toBeGreaterThanOrEqual(7);
    expect([...new Set(queried)].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('has a panel for each question an operator asks first', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const titles = dashboard.panels.filter((p) => p.type !== 'row').map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Request rate',
        'Errors by code',
        'Latency p50 per method',
        'Latency p99 per method',
        'Outbox backlog',
        'Relay lag and leaders',
        'Consumer lag',
      ]),
    );
    expect(dashboard.panels.every((p) => p.type === 'row' || (p.targets ?? []).length > 0)).toBe(
      true,
    );
  });
});
