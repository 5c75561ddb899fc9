import type { EmittedEvent, JsonObject } from '@nexus/db';
import { commentActivityOf, taskActivityOf } from './task-activity';

const event = (
  verb: string,
  before: JsonObject | null,
  after: JsonObject | null,
  changed: string[] = [],
): EmittedEvent => ({
  eventId: 'e',
  verb,
  subject: 't1',
  before,
  after,
  changed,
  actor: 'u1',
  time: new Date(),
});

describe('taskActivityOf', () => {
  it('records a creation without field changes and nothing for a deletion', () => {
    expect(taskActivityOf(event('created', null, { id: 't1' }))).toEqual({
      taskId: 't1',
      kind: 'created',
      changes: [],
      commentId: null,
    });
    expect(taskActivityOf(event('deleted', { id: 't1' }, null))).toBeNull();
  });

  it('names the change by its status first and lists every changed field in snake_case', () => {
    const entry = taskActivityOf(
      event(
        'completed',
        { status: 'TASK_STATUS_TODO', title: 'a' },
        { status: 'TASK_STATUS_DONE', title: 'b', completeTime: '2026-01-01T00:00:00Z' },
        ['completeTime', 'status', 'title'],
      ),
    );
    expect(entry).toMatchObject({
      kind: 'status_changed',
      changes: [
        { field: 'complete_time', before: null, after: '2026-01-01T00:00:00Z' },
        { field: 'status', before: 'TASK_STATUS_TODO', after: 'TASK_STATUS_DONE' },
        { field: 'title', before: 'a', after: 'b' },
      ],
    });
  });

  it('tells assignee, dependency and time changes apart', () => {
    const kind = (before: JsonObject, after: JsonObject) =>
      taskActivityOf(event('updated', before, after, Object.keys({ ...before, ...after })))?.kind;
    expect(kind({}, { assigneeId: 'u2' })).toBe('assignee_changed');
    expect(kind({}, { blockedByTaskIds: ['t2'] })).toBe('dependency_added');
    expect(kind({ blockedByTaskIds: ['t2'] }, {})).toBe('dependency_removed');
    expect(kind({ actualHours: '1.5' }, { actualHours: '2' })).toBe('time_logged');
    expect(kind({ actualHours: '2' }, { actualHours: '0' })).toBe('time_removed');
    expect(kind({ title: 'a' }, { title: 'b' })).toBe('updated');
  });
});

describe('commentActivityOf', () => {
  it('records comment changes on their task without text, and no mentions', () => {
    const comment = { id: 'c1', taskId: 't9', text: 'secret' };
    expect(commentActivityOf({ ...event('created', null, comment), subject: 'c1' })).toEqual({
      taskId: 't9',
      kind: 'comment_added',
      changes: [],
      commentId: 'c1',
    });
    expect(commentActivityOf({ ...event('deleted', comment, null), subject: 'c1' })?.kind).toBe(
      'comment_deleted',
    );
    expect(commentActivityOf(event('mentioned', null, { userId: 'u3' }))).toBeNull();
  });
});
