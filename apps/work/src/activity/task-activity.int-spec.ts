import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { workV1 } from '@nexus/proto';
import { grpcError, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

const { MemberRole, TaskStatus, TaskActivityKind: Kind } = workV1;

let work: WorkHarness;
let owner: TestUser;
let member: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  work = await startWork();
  [owner, member, viewer] = await Promise.all([0, 1, 2].map(() => work.signUp()));
}, 120_000);

afterAll(async () => {
  await work.stop();
});

const team = (): [TestUser, workV1.MemberRole][] => [
  [member, MemberRole.MEMBER_ROLE_MEMBER],
  [viewer, MemberRole.MEMBER_ROLE_VIEWER],
];
const history = (user: TestUser, taskId: string, pageSize = 0, pageToken = '') =>
  work.tasks.listTaskActivity({ taskId, pageSize, pageToken }, as(user));
const update = (user: TestUser, task: Partial<workV1.Task>, mask: string[]) =>
  work.tasks.updateTask({ task: workV1.Task.fromPartial(task), updateMask: mask }, as(user));

/** What an entry says, in a form a test can compare. */
const summary = (entry: workV1.TaskActivity) => ({
  kind: entry.kind,
  actor: entry.actorId,
  changes: Object.fromEntries(
    entry.changes.map((change) => [change.field, [change.before, change.after]]),
  ),
  comment: entry.commentId,
});

describe('task activity', () => {
  it('lists what happened to a task, newest first, with actors and values before and after', async () => {
    const project = await work.project(owner, team());
    const task = await work.task(member, project.id, { title: 'Draft' });
    const blocker = await work.task(owner, project.id, { title: 'First' });
    await update(member, { id: task.id, title: 'Final', priority: workV1.Priority.PRIORITY_HIGH }, [
      'title',
      'priority',
    ]);
    await update(owner, { id: task.id, assigneeId: member.user.id }, ['assignee_id']);
    await update(member, { id: task.id, status: TaskStatus.TASK_STATUS_IN_PROGRESS }, ['status']);
    await work.tasks.addDependency({ taskId: task.id, blockerTaskId: blocker.id }, as(member));
    const entry = await work.tasks.logTime(
      {
        timeEntry: workV1.TimeEntry.fromPartial({
          taskId: task.id,
          hours: '1.5',
          workDate: '2025-01-10',
        }),
        requestId: '',
      },
      as(member),
    );
    const comment = await work.tasks.createTaskComment(
      {
        comment: workV1.TaskComment.fromPartial({ taskId: task.id, text: 'private words' }),
        requestId: '',
      },
      as(owner),
    );
    await work.tasks.updateTaskComment(
      {
        comment: workV1.TaskComment.fromPartial({ id: comment.id, text: 'other words' }),
        updateMask: ['text'],
      },
      as(owner),
    );
    await work.tasks.deleteTimeEntry({ id: entry.id }, as(member));
    await work.tasks.removeDependency({ taskId: task.id, blockerTaskId: blocker.id }, as(owner));
    await work.tasks.deleteTaskComment({ id: comment.id, etag: '' }, as(owner));

    const { activities, nextPageToken } = await history(viewer, task.id);
    expect(nextPageToken).toBe('');
    expect(activities.map(summary)).toEqual([
      {
        kind: Kind.TASK_ACTIVITY_KIND_COMMENT_DELETED,
        actor: owner.user.id,
        changes: {},
        comment: comment.id,
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_DEPENDENCY_REMOVED,
        actor: owner.user.id,
        changes: { blocked_by_task_ids: [[blocker.id], null] },
        comment: '',
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_TIME_REMOVED,
        actor: member.user.id,
        changes: { actual_hours: ['1.5', '0'] },
        comment: '',
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_COMMENT_EDITED,
        actor: owner.user.id,
        changes: {},
        comment: comment.id,
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_COMMENT_ADDED,
        actor: owner.user.id,
        changes: {},
        comment: comment.id,
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_TIME_LOGGED,
        actor: member.user.id,
        changes: { actual_hours: ['0', '1.5'] },
        comment: '',
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_DEPENDENCY_ADDED,
        actor: member.user.id,
        changes: { blocked_by_task_ids: [null, [blocker.id]] },
        comment: '',
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_STATUS_CHANGED,
        actor: member.user.id,
        changes: { status: ['TASK_STATUS_TODO', 'TASK_STATUS_IN_PROGRESS'] },
        comment: '',
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_ASSIGNEE_CHANGED,
        actor: owner.user.id,
        changes: { assignee_id: [null, member.user.id] },
        comment: '',
      },
      {
        kind: Kind.TASK_ACTIVITY_KIND_UPDATED,
        actor: member.user.id,
        changes: { title: ['Draft', 'Final'], priority: ['PRIORITY_MEDIUM', 'PRIORITY_HIGH'] },
        comment: '',
      },
      { kind: Kind.TASK_ACTIVITY_KIND_CREATED, actor: member.user.id, changes: {}, comment: '' },
    ]);
    // Comments appear by id: their words are not part of the history.
    expect(JSON.stringify(activities)).not.toMatch(/private words|other words/);
    // Time order, newest first.
    const times = activities.map((a) => a.createTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const pages: workV1.TaskActivity[] = [];
    let token = '';
    do {
      const page = await history(member, task.id, 4, token);
      pages.push(...page.activities);
      token = page.nextPageToken;
    } while (token);
    expect(pages.map((a) => a.id)).toEqual(activities.map((a) => a.id));
    // The blocker's own history has only its creation: the dependency was the blocked task's change.
    expect((await history(owner, blocker.id)).activities.map((a) => a.kind)).toEqual([
      Kind.TASK_ACTIVITY_KIND_CREATED,
    ]);
  });

  it('records a completion as a status change with its complete time', async () => {
    const project = await work.project(owner, team());
    const task = await work.task(member, project.id);
    await update(member, { id: task.id, status: TaskStatus.TASK_STATUS_DONE }, ['status']);
    const [done] = (await history(member, task.id)).activities;
    expect(done.kind).toBe(Kind.TASK_ACTIVITY_KIND_STATUS_CHANGED);
    expect(done.changes.map((change) => change.field)).toEqual(['complete_time', 'status']);
    expect(done.changes[0].before).toBeNull();
    expect(typeof done.changes[0].after).toBe('string');
  });

  it('hides the history from outsiders (NOT_FOUND) and refuses bad input', async () => {
    const project = await work.project(owner, team());
    const task = await work.task(member, project.id);
    const outsider = await work.signUp();
    expect((await grpcError(history(outsider, task.id))).code).toBe(status.NOT_FOUND);
    expect((await grpcError(history(member, uuidv7()))).code).toBe(status.NOT_FOUND);
    expect(await grpcError(history(member, 'x'))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['task_id'],
    });
    const other = await work.task(member, project.id);
    await update(member, { id: task.id, title: 'a' }, ['title']);
    await update(member, { id: task.id, title: 'b' }, ['title']);
    const { nextPageToken } = await history(member, task.id, 1);
    // A page token belongs to its task.
    expect(await grpcError(history(member, other.id, 1, nextPageToken))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      fields: ['page_token'],
    });
  });
});
