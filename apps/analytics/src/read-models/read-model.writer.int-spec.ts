import 'reflect-metadata';
import type { DataSource, EntityManager } from 'typeorm';
import { uuidv7 } from '@nexus/core';
import { withScratchDatabase, type JsonObject } from '@nexus/db';
import type { PlatformEvent } from '@nexus/events';
import { readEvent, type ReadEvent } from '../consumer/event-reader';
import { openAnalyticsDatabase, readModelTables } from '../testing/read-model-tables';
import { resources } from '../testing/platform-events';
import { applyToReadModels } from './read-model.writer';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A platform history over three days that touches every read model: documents
 * created and edited, emails sent, chat in a few rooms (ids in either case),
 * tasks created, moved, completed, deleted and restored many times, AI calls
 * with costs finer than the column keeps, unknown verbs, events without actor.
 */
function history(count: number, seed: number): ReadEvent[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const users = Array.from({ length: 5 }, () => uuidv7());
  const rooms = Array.from({ length: 4 }, () => uuidv7());
  const projects = Array.from({ length: 3 }, () => uuidv7());
  const tasks = new Map<string, JsonObject | null>(
    Array.from({ length: 8 }, () => [uuidv7(), null]),
  );
  const base = Date.UTC(2003, 4, 1, 12);
  const events: ReadEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const time = new Date(base + Math.floor(next() * 3) * 86_400_000);
    const actor = next() < 0.1 ? null : pick(users);
    const emit = (
      topic: string,
      verb: string,
      before: JsonObject | null,
      after: JsonObject | null,
    ) => {
      const subject = ((after ?? before)?.id as string | undefined) ?? uuidv7();
      const event: PlatformEvent = {
        id: uuidv7(),
        type: `${topic}.${verb}`,
        source: '/nexus/test',
        subject,
        time,
        topic,
        partition: 0,
        offset: String(i),
        data: { before, after, changed: [], actor },
      };
      events.push(readEvent(event));
    };
    const kind = Math.floor(next() * 6);
    if (kind === 0) {
      const document = resources.document({ kind: pick([1, 2, 3]) });
      emit('nexus.content.document', pick(['created', 'updated', 'deleted']), document, document);
    } else if (kind === 1) {
      const draft = resources.email({ status: 1 });
      emit('nexus.comms.email', 'sent', draft, { ...draft, status: 'EMAIL_STATUS_SENT' });
    } else if (kind === 2) {
      const room = pick(rooms);
      const roomId = next() < 0.3 ? room.toUpperCase() : room;
      emit('nexus.comms.chat-message', 'created', null, resources.chatMessage({ roomId }));
    } else if (kind === 3) {
      const [taskId, state] = pick([...tasks]);
      const after =
        state === null
          ? resources.task({ id: taskId, projectId: pick(projects), status: 1 })
          : next() < 0.2
            ? null
            : {
                ...state,
                projectId: next() < 0.2 ? pick(projects) : state.projectId,
                status: pick([
                  'TASK_STATUS_IN_PROGRESS',
                  'TASK_STATUS_DONE',
                  'TASK_STATUS_CANCELLED',
                ]),
                dueDate: pick(['2003-05-02', '2003-06-01', '']),
              };
      const verb = state === null ? pick(['created', 'restored']) : after ? 'updated' : 'deleted';
      emit('nexus.work.task', verb, state, after);
      tasks.set(taskId, after);
    } else if (kind === 4) {
      const interaction = resources.interaction({
        userId: actor ?? '',
        responseModel: pick(['m-1', 'm-2']),
        module: pick([1, 2]),
        inputTokens: Math.floor(next() * 1000),
        outputTokens: Math.floor(next() * 100),
        cost: {
          amount: pick(['0.0000000015', '0.0042', '1.25', '-0.5', '0.0000000004']),
          currencyCode: pick(['USD', 'EUR']),
        },
      });
      emit('nexus.ai-usage.interaction', 'created', null, interaction);
    } else {
      emit('nexus.users.user', pick(['updated', 'frobnicated']), null, { id: pick(users) });
    }
  }
  // The last word on one task is its deletion: its row must go.
  const [gone, last] = [...tasks].find(([, state]) => state !== null)!;
  events.push(
    readEvent({
      id: uuidv7(),
      type: 'nexus.work.task.deleted',
      source: '/nexus/test',
      subject: gone,
      time: new Date(base),
      topic: 'nexus.work.task',
      partition: 0,
      offset: String(count),
      data: { before: last, after: null, changed: [], actor: null },
    }),
  );
  return events;
}

/** Runs `work` in a transaction, snapshots the read models and rolls everything back. */
async function tablesAfter(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<void>,
): Promise<Record<string, string[]>> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  try {
    await work(runner.manager);
    return await readModelTables(runner.manager);
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

describe('applyToReadModels', () => {
  it('leaves the same tables whether events are applied one by one or folded in batches of any size', async () => {
    await withScratchDatabase(process.env.DATABASE_URL!, 'analytics_fold', async (url) => {
      const dataSource = await openAnalyticsDatabase(url);
      try {
        for (const seed of [1, 2, 3]) {
          const events = history(800, seed);
          const oneByOne = await tablesAfter(dataSource, async (manager) => {
            for (const event of events) await applyToReadModels(manager, [event]);
          });
          const next = random(seed + 100);
          const batched = await tablesAfter(dataSource, async (manager) => {
            // Batches on top of rows that exist already, as a consumer's later batches are.
            for (let start = 0; start < events.length;) {
              const size = 1 + Math.floor(next() * 200);
              await applyToReadModels(manager, events.slice(start, start + size));
              start += size;
            }
          });
          expect(batched).toEqual(oneByOne);
          // The history reached every table, deletions and rounding included.
          for (const rows of Object.values(oneByOne)) expect(rows.length).toBeGreaterThan(0);
          expect(oneByOne.task_states.length).toBeLessThan(8);
          expect(oneByOne.ai_usage_daily.join()).toMatch(/"cost": -?\d+\.\d*[1-9]/);
        }
      } finally {
        await dataSource.destroy();
      }
    });
  }, 120_000);
});
