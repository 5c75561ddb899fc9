import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uuidv7 } from '@nexus/core';
import { createDataSource } from '@nexus/db';
import { createKafka, type Kafka } from '@nexus/events';
import { createLogger } from '@nexus/ops';
import { aiUsageV1, contentV1, workV1 } from '@nexus/proto';
import { freePorts, startKafka, type RunningKafka } from '@nexus/stack';
import { database } from '../database';
import type { AnalyticsConfig } from '../config';
import {
  eventually,
  startAnalytics,
  testAnalyticsConfig,
  type AnalyticsHarness,
} from '../testing/analytics-harness';
import {
  EventPublisher,
  atDay,
  dayOf,
  isolatedDay,
  platformEvent,
  resources,
} from '../testing/platform-events';
import { rebuildReadModels } from './rebuild-read-models';

/**
 * A broker of its own: a rebuild replays every topic from the start, and the
 * run's shared broker holds what every project before this one published
 * (replaying it twice took this test 85-100 s of a CI run).
 */
let broker: RunningKafka;
let kafka: Kafka;

beforeAll(async () => {
  const [port, controllerPort] = await freePorts(2);
  broker = await startKafka({
    dataDir: await mkdtemp(path.join(tmpdir(), 'nexus-rebuild-')),
    port,
    controllerPort,
    ephemeral: true,
  });
  kafka = createKafka({
    brokers: broker.brokers,
    clientId: 'analytics-rebuild-test',
    logger: createLogger({ service: 'analytics-rebuild-test', level: 'silent' }),
  });
}, 120_000);

afterAll(() => broker?.stop());

/** The test analytics configuration, on this file's broker. */
function onOwnBroker(config: AnalyticsConfig): AnalyticsConfig {
  return {
    ...config,
    service: {
      ...config.service,
      env: { ...config.service.env, KAFKA_BROKERS: broker.brokers },
    },
  };
}

/** Everything the API says about this test's days, project and room. */
async function snapshot(
  analytics: AnalyticsHarness,
  t: Date,
  ids: { project: string; room: string },
) {
  const range = `from=${dayOf(t)}&to=${dayOf(t, 2)}`;
  const paths = [
    `/api/v1/events?${range}`,
    `/api/v1/active-users?${range}`,
    `/api/v1/documents?${range}`,
    `/api/v1/emails?${range}`,
    `/api/v1/chat-messages?${range}&room_id=${ids.room}`,
    `/api/v1/tasks?${range}&project_id=${ids.project}`,
    `/api/v1/tasks/open?as_of=${dayOf(t, 2)}&project_id=${ids.project}`,
    `/api/v1/ai-usage?${range}&group_by=day,model,module,user`,
  ];
  return Object.fromEntries(
    await Promise.all(paths.map(async (path) => [path, (await analytics.get(path)).body] as const)),
  );
}

describe('rebuild', () => {
  it('empties the read models, rewinds the group and replays to identical numbers', async () => {
    const config = onOwnBroker(testAnalyticsConfig());
    const t = isolatedDay();
    const ids = { project: uuidv7(), room: uuidv7() };
    const users = [uuidv7(), uuidv7(), uuidv7()];
    const publisher = await EventPublisher.connect(kafka);
    const events = [];
    for (let i = 0; i < 30; i += 1) {
      const time = atDay(t, i % 3);
      const actor = users[i % 3];
      const task = resources.task({
        projectId: ids.project,
        status: workV1.TaskStatus.TASK_STATUS_TODO,
        dueDate: dayOf(t, 1),
      });
      events.push(
        platformEvent('nexus.work.task', 'created', { after: task, actor, time }),
        platformEvent('nexus.comms.chat-message', 'created', {
          after: resources.chatMessage({ roomId: ids.room }),
          actor,
          time,
        }),
        platformEvent('nexus.content.document', 'created', {
          after: resources.document({ kind: contentV1.DocumentKind.DOCUMENT_KIND_PRESENTATION }),
          actor,
          time,
        }),
        platformEvent('nexus.ai-usage.interaction', 'created', {
          after: resources.interaction({
            userId: actor,
            responseModel: 'claude-test',
            module: aiUsageV1.Module.MODULE_CHAT,
            inputTokens: 100 + i,
            outputTokens: 7,
            cost: { amount: '0.0031', currencyCode: 'USD' },
          }),
          actor,
          time,
        }),
      );
      if (i % 2 === 0) {
        events.push(
          platformEvent('nexus.work.task', 'completed', {
            before: task,
            after: { ...task, status: 'TASK_STATUS_DONE' },
            actor,
            time,
          }),
        );
      }
    }
    await publisher.publish(...events);
    await publisher.close();

    let analytics = await startAnalytics(config);
    // Every event counts once in events-per-type, in the same transaction as its
    // other read models: when the sum reaches what was published, all are applied.
    const eventsPath = `/api/v1/events?from=${dayOf(t)}&to=${dayOf(t, 2)}`;
    const caughtUp = (s: Record<string, unknown>) =>
      (s[eventsPath] as { rows: { events: number | string }[] }).rows.reduce(
        (total, row) => total + Number(row.events),
        0,
      ) === events.length;
    const before = await eventually(() => snapshot(analytics, t, ids), caughtUp);
    await analytics.stop();

    const dataSource = createDataSource({
      url: process.env.DATABASE_URL!,
      ...database,
      poolSize: 1,
      maxOverflow: 0,
      sqlEcho: false,
      applicationName: 'analytics-rebuild-test',
    });
    await dataSource.initialize();
    try {
      const result = await rebuildReadModels({ dataSource, kafka, groupId: config.consumerGroup });
      expect(result.topicsReset).toEqual(
        expect.arrayContaining(['nexus.work.task', 'nexus.comms.chat-message']),
      );
      const [{ rows }] = await dataSource.query<[{ rows: string }]>(
        `SELECT (SELECT COUNT(*) FROM analytics.events_daily) + (SELECT COUNT(*) FROM analytics.task_states)
           + (SELECT COUNT(*) FROM analytics.processed_events WHERE consumer = $1) AS rows`,
        [config.consumerGroup],
      );
      expect(Number(rows)).toBe(0);
    } finally {
      await dataSource.destroy();
    }

    analytics = await startAnalytics(config);
    try {
      const after = await eventually(() => snapshot(analytics, t, ids), caughtUp);
      expect(after).toEqual(before);
      expect(JSON.stringify(after)).toContain('"open":15');
    } finally {
      await analytics.stop();
    }
  }, 400_000);

  it('refuses while the consumer group has active members', async () => {
    const analytics = await startAnalytics(onOwnBroker(testAnalyticsConfig()));
    const dataSource = createDataSource({
      url: process.env.DATABASE_URL!,
      ...database,
      poolSize: 1,
      maxOverflow: 0,
      sqlEcho: false,
      applicationName: 'analytics-rebuild-test',
    });
    await dataSource.initialize();
    try {
      const admin = kafka.admin();
      await admin.connect();
      await eventually(
        async () =>
          (await admin.describeGroups([analytics.config.consumerGroup])).groups[0]?.members
            .length ?? 0,
        (members) => members > 0,
      ).finally(() => admin.disconnect());
      await expect(
        rebuildReadModels({ dataSource, kafka, groupId: analytics.config.consumerGroup }),
      ).rejects.toThrow(/active member\(s\): stop the analytics service first/);
    } finally {
      await dataSource.destroy();
      await analytics.stop();
    }
  }, 60_000);
});
