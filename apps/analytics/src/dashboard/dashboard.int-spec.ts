import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { uuidv7 } from '@nexus/core';
import { aiUsageV1, contentV1, workV1 } from '@nexus/proto';
import {
  eventually,
  startAnalytics,
  testKafka,
  type AnalyticsHarness,
} from '../testing/analytics-harness';
import {
  EventPublisher,
  atDay,
  dayOf,
  isolatedDay,
  platformEvent,
  resources,
  type TestEvent,
} from '../testing/platform-events';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DAYS = 14;

let analytics: AnalyticsHarness;
let publisher: EventPublisher;
let browser: BrowserContext;
let profile: string;
const t = isolatedDay();
const [from, to] = [dayOf(t), dayOf(t, DAYS - 1)];

/** A plausible fortnight: more activity mid-week, some of everything every day. */
function fortnight(): TestEvent[] {
  const users = Array.from({ length: 6 }, () => uuidv7());
  const project = uuidv7();
  const room = uuidv7();
  const events: TestEvent[] = [];
  for (let day = 0; day < DAYS; day += 1) {
    const time = atDay(t, day);
    const load = 2 + ((day * 7) % 5);
    for (let i = 0; i < load; i += 1) {
      const actor = users[(day + i) % (2 + (day % 5))];
      const task = resources.task({
        projectId: project,
        status: workV1.TaskStatus.TASK_STATUS_TODO,
        dueDate: dayOf(t, day + 3),
      });
      events.push(
        platformEvent('nexus.content.document', i % 2 ? 'updated' : 'created', {
          after: resources.document({ kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT }),
          actor,
          time,
        }),
        platformEvent('nexus.comms.chat-message', 'created', {
          after: resources.chatMessage({ roomId: room }),
          actor,
          time,
        }),
        platformEvent('nexus.work.task', 'created', { after: task, actor, time }),
        platformEvent('nexus.ai-usage.interaction', 'created', {
          after: resources.interaction({
            userId: actor,
            responseModel: 'gpt-4o',
            module: aiUsageV1.Module.MODULE_DOCUMENTS,
            inputTokens: 400 + 50 * i,
            outputTokens: 120,
            cost: { amount: (0.004 + 0.001 * i).toFixed(4), currencyCode: 'USD' },
          }),
          actor,
          time,
        }),
      );
      if (i % 3 === 0) {
        events.push(
          platformEvent('nexus.work.task', 'completed', {
            before: task,
            after: { ...task, status: 'TASK_STATUS_DONE' },
            actor,
            time,
          }),
          platformEvent('nexus.comms.email', 'sent', {
            before: resources.email({ status: 1 }),
            after: resources.email({ status: 2 }),
            actor,
            time,
          }),
        );
      }
    }
  }
  return events;
}

beforeAll(async () => {
  analytics = await startAnalytics();
  publisher = await EventPublisher.connect(testKafka('analytics-dashboard-test'));
  profile = mkdtempSync(path.join(tmpdir(), 'analytics-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    // Debian's chromium here; CI hosts with another Chromium-based browser set CHROMIUM_PATH.
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1000 },
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
  await publisher?.close();
  await analytics?.stop();
});

type Rows = { rows: Record<string, string | number>[] };

/** The API's figure per day of the range, 0 for days without a row (as the page draws it). */
async function apiPerDay(series: string, figure: string): Promise<number[]> {
  const { body } = await analytics.get<Rows>(
    `/api/v1/${series}?from=${from}&to=${to}&group_by=day`,
  );
  return Array.from({ length: DAYS }, (_, day) =>
    body.rows
      .filter((row) => row.day === dayOf(t, day))
      .reduce((sum, row) => sum + Number(row[figure]), 0),
  );
}

function chartData(page: Page, id: string): Promise<number[][]> {
  return page.evaluate((canvasId) => {
    const chart = (
      globalThis as unknown as {
        Chart: { getChart(id: string): { data: { datasets: { data: number[] }[] } } };
      }
    ).Chart.getChart(canvasId);
    return chart.data.datasets.map((dataset) => dataset.data);
  }, id);
}

describe('the dashboard in a real Chromium', () => {
  it('draws every chart with the numbers the API returns and refreshes on its own', async () => {
    const events = fortnight();
    await publisher.publish(...events);
    const total = events.length;
    await eventually(
      async () => (await apiPerDay('events', 'events')).reduce((a, b) => a + b, 0),
      (sum) => sum === total,
    );

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${analytics.baseUrl}/?from=${from}&to=${to}&refresh=1`);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { nexusDashboard: { renderedAt: string | null } }).nexusDashboard
          .renderedAt !== null,
    );

    expect(await chartData(page, 'events-chart')).toEqual([await apiPerDay('events', 'events')]);
    expect(await chartData(page, 'active-users-chart')).toEqual([
      await apiPerDay('active-users', 'activeUsers'),
    ]);
    expect(await chartData(page, 'documents-chart')).toEqual([
      await apiPerDay('documents', 'created'),
      await apiPerDay('documents', 'edited'),
    ]);
    expect(await chartData(page, 'comms-chart')).toEqual([
      await apiPerDay('emails', 'sent'),
      await apiPerDay('chat-messages', 'messages'),
    ]);
    expect(await chartData(page, 'tasks-chart')).toEqual([
      await apiPerDay('tasks', 'created'),
      await apiPerDay('tasks', 'completed'),
    ]);
    const [tokens, cost] = await chartData(page, 'ai-chart');
    expect(tokens).toEqual(await apiPerDay('ai-usage', 'totalTokens'));
    expect(cost).toEqual(await apiPerDay('ai-usage', 'cost'));
    expect(await page.textContent('#tile-events')).toBe(String(total));
    expect((await chartData(page, 'events-chart'))[0].some((n) => n > 0)).toBe(true);

    // A new event shows up without a reload.
    await publisher.publish(
      platformEvent('nexus.comms.chat-message', 'created', {
        after: resources.chatMessage({ roomId: uuidv7() }),
        time: t,
      }),
    );
    await page.waitForFunction(
      `document.getElementById('tile-events').textContent === '${total + 1}'`,
      undefined,
      { timeout: 20_000 },
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);
});
