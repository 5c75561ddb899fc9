import { uuidv7 } from '@nexus/core';
import type { JsonObject } from '@nexus/db';
import type { PlatformEvent } from '@nexus/events';
import { UnreadableEventError, readEvent } from './event-reader';

const time = new Date('2024-05-06T23:59:59.999Z');

function event(
  topic: string,
  verb: string,
  data: { before?: JsonObject | null; after?: JsonObject | null; actor?: string | null },
  overrides: Partial<PlatformEvent> = {},
): PlatformEvent {
  return {
    id: uuidv7(),
    type: `${topic}.${verb}`,
    source: '/nexus/test',
    subject: ((data.after ?? data.before)?.id as string) ?? uuidv7(),
    time,
    topic,
    partition: 0,
    offset: '0',
    data: {
      before: data.before ?? null,
      after: data.after ?? null,
      changed: [],
      actor: data.actor ?? null,
    },
    ...overrides,
  };
}

describe('readEvent', () => {
  it('buckets by the UTC day of ce_time and keeps the type and actor', () => {
    const actor = uuidv7();
    expect(
      readEvent(event('nexus.users.user', 'created', { after: { id: uuidv7() }, actor })),
    ).toEqual({
      day: '2024-05-06',
      type: 'nexus.users.user.created',
      actor,
      effects: [],
    });
  });

  it('reads a snake_case verb such as password_changed', () => {
    expect(
      readEvent(event('nexus.users.user', 'password_changed', { after: { id: uuidv7() } })).type,
    ).toBe('nexus.users.user.password_changed');
  });

  it('keeps an unknown verb of a known aggregate, with no read-model effect', () => {
    expect(
      readEvent(event('nexus.work.project', 'archived', { after: { id: uuidv7() } })).effects,
    ).toEqual([]);
  });

  it('reads a missing enum as its UNSPECIFIED value (proto3 JSON omits defaults)', () => {
    expect(
      readEvent(event('nexus.content.document', 'created', { after: { id: uuidv7() } })).effects,
    ).toEqual([{ model: 'documents', kind: 'DOCUMENT_KIND_UNSPECIFIED', created: 1, edited: 0 }]);
  });

  it('counts a task as completed only on the change into DONE', () => {
    const task = { id: uuidv7(), projectId: uuidv7(), status: 'TASK_STATUS_IN_PROGRESS' };
    const done = { ...task, status: 'TASK_STATUS_DONE' };
    const completing = readEvent(
      event('nexus.work.task', 'updated', { before: task, after: done }),
    );
    expect(completing.effects[0]).toEqual({
      model: 'tasks',
      projectId: task.projectId,
      created: 0,
      completed: 1,
    });
    const again = readEvent(event('nexus.work.task', 'updated', { before: done, after: done }));
    expect(again.effects.map((e) => e.model)).toEqual(['task-state']);
  });

  it('forgets the state of a deleted task', () => {
    const task = { id: uuidv7(), projectId: uuidv7() };
    expect(readEvent(event('nexus.work.task', 'deleted', { before: task })).effects).toEqual([
      { model: 'task-state', taskId: task.id, state: null },
    ]);
  });

  it('takes total tokens from input + output when the total is missing, and cost as a decimal string', () => {
    const after = {
      id: uuidv7(),
      userId: uuidv7(),
      requestModel: 'm',
      inputTokens: 5,
      outputTokens: 7,
      cost: { amount: '0.25', currencyCode: 'EUR' },
    };
    expect(readEvent(event('nexus.ai-usage.interaction', 'created', { after })).effects).toEqual([
      {
        model: 'ai-usage',
        aiModel: 'm',
        module: 'MODULE_UNSPECIFIED',
        userId: after.userId,
        currencyCode: 'EUR',
        inputTokens: 5,
        outputTokens: 7,
        totalTokens: 12,
        cost: '0.25',
      },
    ]);
  });

  it.each([
    [
      'a type that is not nexus.<service>.<aggregate>.<verb>',
      event('nexus.work.task', 'created', {}, { type: 'task.created' }),
    ],
    [
      'a verb in kebab-case',
      event('nexus.users.user', 'password-changed', { after: { id: uuidv7() } }),
    ],
    [
      'a type of another topic',
      event('nexus.work.task', 'created', {}, { type: 'nexus.work.project.created' }),
    ],
    [
      'an actor that is not a user id',
      event('nexus.users.user', 'updated', { after: { id: uuidv7() }, actor: 'root' }),
    ],
    [
      'a chat message without a room',
      event('nexus.comms.chat-message', 'created', { after: { id: uuidv7() } }),
    ],
    [
      'a task due on a non-date',
      event('nexus.work.task', 'created', {
        after: { id: uuidv7(), projectId: uuidv7(), dueDate: 'soon' },
      }),
    ],
    [
      'a task whose subject is not an id',
      event('nexus.work.task', 'created', { after: { projectId: uuidv7() } }, { subject: 'x' }),
    ],
    [
      'a cost that is not a decimal',
      event('nexus.ai-usage.interaction', 'created', {
        after: { id: uuidv7(), cost: { amount: '1e3' } },
      }),
    ],
    [
      'negative tokens',
      event('nexus.ai-usage.interaction', 'created', { after: { id: uuidv7(), inputTokens: -1 } }),
    ],
    [
      'an enum given as a number',
      event('nexus.content.document', 'created', { after: { id: uuidv7(), kind: 2 } }),
    ],
  ])('rejects %s', (_name, unreadable) => {
    expect(() => readEvent(unreadable)).toThrow(UnreadableEventError);
  });
});
