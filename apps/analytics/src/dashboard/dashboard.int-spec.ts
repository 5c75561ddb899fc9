import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { uuidv7 } from '@nexus/core';
import { aiUsageV1, commonV1, contentV1, workV1 } from '@nexus/proto';
import { TEST_PASSWORD, signTestToken, startUsersProcess, type UsersProcess } from '@nexus/testing';
import {
  eventually,
  startAnalytics,
  testAnalyticsConfig,
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

let users: UsersProcess;
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
  users = await startUsersProcess();
  analytics = await startAnalytics(testAnalyticsConfig({ usersAddress: users.address }));
  publisher = await EventPublisher.connect(testKafka('analytics-dashboard-test'));
  profile = mkdtempSync(path.join(tmpdir(), 'analytics-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    // Debian's chromium here; CI hosts with another Chromium-based browser set CHROMIUM_PATH.
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1000 },
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
  await publisher?.close();
  await Promise.all([analytics?.stop(), users?.stop()]);
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

/** Fills in the page's sign-in form and submits it. */
async function signIn(page: Page, login: string, password = TEST_PASSWORD): Promise<void> {
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('#sign-in-button');
}

function rendered(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () =>
      (globalThis as unknown as { nexusDashboard: { renderedAt: string | null } }).nexusDashboard
        .renderedAt !== null,
  );
}

// The page's own storage (the test's tsconfig has no DOM types).
type WithStorage = {
  sessionStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
  };
};
const SESSION_KEY = 'nexus.analytics.session';

function storedSession(page: Page): Promise<string | null> {
  return page.evaluate(
    (key) => (globalThis as unknown as WithStorage).sessionStorage.getItem(key),
    SESSION_KEY,
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
  it('signs a manager in, draws every chart with the numbers the API returns and refreshes on its own', async () => {
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
    // No token yet: the form, and no data.
    expect(await page.isVisible('#sign-in-form')).toBe(true);
    expect(await page.isVisible('#dashboard')).toBe(false);
    const manager = await users.signUp(commonV1.Role.ROLE_MANAGER);
    await signIn(page, manager.user.email);
    await rendered(page);
    expect(await page.isVisible('#sign-in-form')).toBe(false);
    expect(await page.textContent('#role')).toBe('manager');
    expect(JSON.parse((await storedSession(page)) ?? '{}')).toMatchObject({ role: 'manager' });
    // The refresh token: only in an HttpOnly cookie for /auth.
    expect((await browser.cookies()).map((c) => [c.name, c.httpOnly, c.path])).toEqual([
      ['nexus_refresh', true, '/auth'],
    ]);

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

  it('says a wrong password, and tells a signed-in user that analytics needs a manager or admin', async () => {
    const { user } = await users.signUp(commonV1.Role.ROLE_USER);
    // Signed out of the first test's session (its cookie would sign this page in).
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(`${analytics.baseUrl}/?refresh=1`);
    await signIn(page, user.email, 'not the password at all');
    await page.waitForSelector('#sign-in-message', { state: 'visible' });
    expect(await page.textContent('#sign-in-message')).toBe('Wrong login or password.');
    expect(await storedSession(page)).toBeNull();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'sign-in.png') });

    await signIn(page, user.username);
    await page.waitForSelector('#denied-message', { state: 'visible' });
    expect(await page.textContent('#denied-message')).toBe(
      'Analytics needs a manager or admin. You are signed in as a user.',
    );
    expect(await page.isVisible('#dashboard')).toBe(false);

    await page.click('#switch-user');
    await page.waitForSelector('#sign-in-form', { state: 'visible' });
    expect(await storedSession(page)).toBeNull();
    // Switching user signs the first one out: no refresh token is left behind.
    expect(await browser.cookies()).toEqual([]);
    await page.close();
  }, 60_000);

  it('drops a token the API refuses and shows the sign-in form again', async () => {
    // A token of another signing key (as after a key rotation), not expired by its own clock.
    const foreignKey = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const session = JSON.stringify({
      accessToken: signTestToken({ role: 'admin', key: foreignKey, expiresInMs: 600_000 }),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      role: 'admin',
    });
    // And no refresh token to fall back on.
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(`${analytics.baseUrl}/?refresh=1`);
    await page.evaluate(
      ([key, value]) => (globalThis as unknown as WithStorage).sessionStorage.setItem(key, value),
      [SESSION_KEY, session],
    );
    await page.reload();
    await page.waitForSelector('#sign-in-message', { state: 'visible' });
    expect(await page.textContent('#sign-in-message')).toBe(
      'Your session has ended. Sign in again.',
    );
    expect(await storedSession(page)).toBeNull();
    expect(await page.isVisible('#dashboard')).toBe(false);
    await page.close();
  }, 60_000);

  it('stays signed in with the refresh token (before the access token expires, in a new tab) and signs out', async () => {
    const manager = await users.signUp(commonV1.Role.ROLE_MANAGER);
    await browser.clearCookies();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${analytics.baseUrl}/?refresh=1`);
    await signIn(page, manager.user.email);
    await rendered(page);
    const first = JSON.parse((await storedSession(page)) ?? '{}') as { accessToken: string };
    const [cookie] = await browser.cookies();
    expect(cookie).toMatchObject({ name: 'nexus_refresh', httpOnly: true, sameSite: 'Strict' });
    // The page's script cannot read it.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { cookie: string } }).document.cookie,
      ),
    ).toBe('');

    // An access token about to expire: the page exchanges the refresh token first.
    await page.evaluate(
      ([key, value]) => (globalThis as unknown as WithStorage).sessionStorage.setItem(key, value),
      [
        SESSION_KEY,
        JSON.stringify({ ...first, expiresAt: new Date(Date.now() + 3_000).toISOString() }),
      ],
    );
    await page.reload();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { nexusDashboard: { sessionRefreshes: number } }).nexusDashboard
          .sessionRefreshes >= 1,
      undefined,
      { timeout: 15_000 },
    );
    const renewed = JSON.parse((await storedSession(page)) ?? '{}') as {
      accessToken: string;
      role: string;
    };
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(renewed.role).toBe('manager');
    const [rotated] = await browser.cookies();
    expect(rotated.value).not.toBe(cookie.value);
    expect((await analytics.get('/api/v1/status', { token: renewed.accessToken })).status).toBe(
      200,
    );

    // A new tab has no access token: the cookie signs it in, no form.
    const tab = await browser.newPage();
    await tab.goto(`${analytics.baseUrl}/?refresh=1`);
    await rendered(tab);
    expect(await tab.isVisible('#sign-in-form')).toBe(false);
    expect(await tab.textContent('#role')).toBe('manager');
    await tab.close();

    // Signing out ends the session at users, and its access tokens everywhere.
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-form', { state: 'visible' });
    expect(await storedSession(page)).toBeNull();
    expect(await browser.cookies()).toEqual([]);
    const { sessions } = await users.client.listSessions(
      { userId: manager.user.id, pageSize: 0, pageToken: '', showEnded: true },
      { token: users.admin.token },
    );
    const dashboard = sessions.filter((s) => s.client.startsWith('analytics dashboard ('));
    expect(dashboard.map((s) => s.endReason)).toEqual(['SIGNED_OUT']);
    await eventually(
      async () => (await analytics.get('/api/v1/status', { token: renewed.accessToken })).status,
      (status) => status === 401,
    );
    // A reload stays signed out.
    await page.reload();
    await page.waitForSelector('#sign-in-form', { state: 'visible' });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
