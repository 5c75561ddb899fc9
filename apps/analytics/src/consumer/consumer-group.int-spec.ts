import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { withScratchDatabase } from '@nexus/db';
import type { AnalyticsConfig } from '../config';
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
  isolatedDay,
  platformEvent,
  resources,
  type TestEvent,
} from '../testing/platform-events';
import { openAnalyticsDatabase, readModelTables } from '../testing/read-model-tables';
import { consumerLag } from './consumer-lag';

jest.setTimeout(240_000);

const kafka = testKafka('analytics-group-test');

/** A config of its own group whose read models live in the database at `url`. */
function configIn(url: string, groupId: string): AnalyticsConfig {
  const config = testAnalyticsConfig({ groupId });
  return {
    ...config,
    service: { ...config.service, env: { ...config.service.env, DATABASE_URL: url } },
  };
}

/** Tasks moving through their states, chat, documents and AI calls: keys on every partition. */
function history(): TestEvent[] {
  const t = isolatedDay();
  const project = uuidv7();
  const events: TestEvent[] = [];
  for (let i = 0; i < 40; i += 1) {
    const actor = uuidv7();
    const time = atDay(t, i % 3);
    const task = resources.task({ projectId: project, status: 1, dueDate: '2001-01-02' });
    const done = { ...task, status: 'TASK_STATUS_DONE' };
    events.push(
      platformEvent('nexus.work.task', 'created', { after: task, actor, time }),
      platformEvent('nexus.work.task', 'updated', { before: task, after: done, actor, time }),
      platformEvent('nexus.comms.chat-message', 'created', {
        after: resources.chatMessage({ roomId: uuidv7() }),
        actor,
        time,
      }),
      platformEvent('nexus.content.document', 'created', {
        after: resources.document({ kind: 2 }),
        actor,
        time,
      }),
      platformEvent('nexus.ai-usage.interaction', 'created', {
        after: resources.interaction({
          userId: actor,
          inputTokens: i,
          cost: { amount: '0.0031', currencyCode: 'USD' },
        }),
        actor,
        time,
      }),
    );
    if (i % 4 === 0) {
      events.push(platformEvent('nexus.work.task', 'deleted', { before: done, actor, time }));
    }
  }
  return events;
}

describe('analytics instances in one consumer group', () => {
  it('split the partitions between them and leave the read models a single instance leaves', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const started: AnalyticsHarness[] = [];
    const databases: DataSource[] = [];
    try {
      await withScratchDatabase(process.env.DATABASE_URL!, 'analytics_single', (singleUrl) =>
        withScratchDatabase(process.env.DATABASE_URL!, 'analytics_pair', async (pairUrl) => {
          const single = configIn(singleUrl, `nexus-analytics-single-${uuidv7()}`);
          const pair = configIn(pairUrl, `nexus-analytics-pair-${uuidv7()}`);
          const appliedBy = [new Set<string>(), new Set<string>()];
          started.push(
            await startAnalytics(pair, { onApplied: (event) => appliedBy[0].add(event.id) }),
            await startAnalytics(pair, { onApplied: (event) => appliedBy[1].add(event.id) }),
            await startAnalytics(single),
          );
          // Both members in the group before the events come, so both get some.
          await eventually(
            async () => (await admin.describeGroups([pair.consumerGroup])).groups[0],
            (group) => group?.state === 'Stable' && group.members.length === 2,
          );

          const events = history();
          const publisher = await EventPublisher.connect(kafka);
          await publisher.publish(...events);
          await publisher.close();

          const caughtUp = async (groupId: string) =>
            (await consumerLag(admin, groupId)).every((partition) => partition.lag === 0);
          await eventually(
            async () =>
              (await caughtUp(single.consumerGroup)) && (await caughtUp(pair.consumerGroup)),
            (both) => both,
          );

          const ours = events.map((event) => event.eventId);
          const byFirst = ours.filter((id) => appliedBy[0].has(id));
          const bySecond = ours.filter((id) => appliedBy[1].has(id));
          expect(byFirst.length).toBeGreaterThan(0);
          expect(bySecond.length).toBeGreaterThan(0);
          expect(byFirst.length + bySecond.length).toBe(ours.length);

          for (const url of [singleUrl, pairUrl]) databases.push(await openAnalyticsDatabase(url));
          const [singleTables, pairTables] = await Promise.all(databases.map(readModelTables));
          expect(pairTables).toEqual(singleTables);
          // Ours among whatever the run's broker held before: 40 tasks, 10 of them deleted.
          const tasks = new Set(
            events.filter((e) => e.topic === 'nexus.work.task').map((e) => e.subject),
          );
          const ourStates = singleTables.task_states.filter((row) =>
            tasks.has((JSON.parse(row) as { task_id: string }).task_id),
          );
          expect(ourStates).toHaveLength(30);
          await Promise.all(databases.splice(0).map((database) => database.destroy()));
          // The services hold connections to the scratch databases: stop them before the drop.
          await Promise.all(started.splice(0).map((service) => service.stop()));
        }),
      );
    } finally {
      await Promise.all(databases.map((database) => database.destroy()));
      await Promise.all(started.map((service) => service.stop()));
      await admin.disconnect();
    }
  });
});
