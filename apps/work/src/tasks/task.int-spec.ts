import { status } from '@grpc/grpc-js';
import { workV1 } from '@nexus/proto';
import { EventCollector, grpcError, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

const { MemberRole, TaskStatus, Priority, TaskOrderBy } = workV1;

let work: WorkHarness;
let events: EventCollector;
let owner: TestUser;
let member: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  work = await startWork();
  events = await EventCollector.start(['nexus.work.task', 'nexus.work.project']);
  [owner, member, viewer] = await Promise.all([0, 1, 2].map(() => work.signUp()));
}, 120_000);

afterAll(async () => {
  await events.stop();
  await work.stop();
});

const team = (): [TestUser, workV1.MemberRole][] => [
  [member, MemberRole.MEMBER_ROLE_MEMBER],
  [viewer, MemberRole.MEMBER_ROLE_VIEWER],
];
const setStatus = (user: TestUser, task: workV1.Task, value: workV1.TaskStatus) =>
  work.tasks.updateTask(
    { task: workV1.Task.fromPartial({ id: task.id, status: value }), updateMask: ['status'] },
    as(user),
  );
const block = (user: TestUser, task: workV1.Task, blocker: workV1.Task) =>
  work.tasks.addDependency({ taskId: task.id, blockerTaskId: blocker.id }, as(user));

describe('tasks and roles', () => {
  it('lets members create and update tasks, viewers only read, outsiders nothing', async () => {
    const project = await work.project(owner, team());
    const task = await work.task(member, project.id, {
      tags: ['Backend', 'backend'],
      priority: Priority.PRIORITY_HIGH,
    });
    expect(task).toMatchObject({
      reporterId: member.user.id,
      status: TaskStatus.TASK_STATUS_TODO,
      tags: ['backend'],
      actualHours: '0',
    });
    expect((await work.tasks.getTask({ id: task.id }, as(viewer))).id).toBe(task.id);
    expect((await grpcError(work.task(viewer, project.id))).code).toBe(status.PERMISSION_DENIED);
    expect(
      (await grpcError(setStatus(viewer, task, TaskStatus.TASK_STATUS_IN_PROGRESS))).code,
    ).toBe(status.PERMISSION_DENIED);
    const outsider = await work.signUp();
    expect((await grpcError(work.tasks.getTask({ id: task.id }, as(outsider)))).code).toBe(
      status.PERMISSION_DENIED,
    );
    expect(
      (await grpcError(work.tasks.deleteTask({ id: task.id, etag: '' }, as(member)))).code,
    ).toBe(status.PERMISSION_DENIED);
  });

  it('assigns only active users who are project members', async () => {
    const project = await work.project(owner, team());
    const outsider = await work.signUp();
    const notMember = await grpcError(
      work.task(member, project.id, { assigneeId: outsider.user.id }),
    );
    expect(notMember).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'ASSIGNEE_NOT_MEMBER',
      fields: ['task.assignee_id'],
    });
    const task = await work.task(member, project.id, { assigneeId: viewer.user.id });
    expect(task.assigneeId).toBe(viewer.user.id);
    const gone = await work.signUp();
    await work.projects.addMember(
      { projectId: project.id, userId: gone.user.id, role: MemberRole.MEMBER_ROLE_MEMBER },
      as(owner),
    );
    await work.users.deactivate(gone.user.id);
    const inactive = await grpcError(
      work.tasks.updateTask(
        {
          task: workV1.Task.fromPartial({ id: task.id, assigneeId: gone.user.id }),
          updateMask: ['assignee_id'],
        },
        as(member),
      ),
    );
    expect(inactive).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['task.assignee_id'],
    });
  });

  it('rejects malformed fields all at once and creates nothing', async () => {
    const project = await work.project(owner);
    const error = await grpcError(
      work.task(owner, project.id, {
        title: '',
        estimatedHours: '1.234',
        startDate: '2030-02-30',
        priority: 42 as workV1.Priority,
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual([
      'task.estimated_hours',
      'task.priority',
      'task.start_date',
      'task.title',
    ]);
    const list = await work.tasks.listTasks(
      workV1.ListTasksRequest.fromPartial({ projectId: project.id }),
      as(owner),
    );
    expect(list.tasks).toEqual([]);
  });
});

describe('dependencies', () => {
  it('refuses a direct cycle, naming it', async () => {
    const project = await work.project(owner);
    const a = await work.task(owner, project.id, { title: 'a' });
    const b = await work.task(owner, project.id, { title: 'b' });
    const blocked = await block(owner, b, a);
    expect(blocked.blockedByTaskIds).toEqual([a.id]);
    const error = await grpcError(block(owner, a, b));
    expect(error).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'DEPENDENCY_CYCLE' });
    expect(error.details).toContain(`${a.id} -> ${b.id} -> ${a.id}`);
    expect((await grpcError(block(owner, a, a))).reason).toBe('DEPENDENCY_CYCLE');
    expect((await work.tasks.getTask({ id: a.id }, as(owner))).blockedByTaskIds).toEqual([]);
  });

  it('refuses a long cycle and names every task on it', async () => {
    const project = await work.project(owner);
    const chain: workV1.Task[] = [];
    for (let i = 0; i < 8; i += 1)
      chain.push(await work.task(owner, project.id, { title: `t${i}` }));
    // t1 blocked by t0, t2 by t1, ... t7 by t6; plus a side branch that is not on the cycle.
    for (let i = 1; i < chain.length; i += 1) await block(owner, chain[i], chain[i - 1]);
    const side = await work.task(owner, project.id);
    await block(owner, side, chain[3]);
    const error = await grpcError(block(owner, chain[0], chain[7]));
    expect(error.reason).toBe('DEPENDENCY_CYCLE');
    const ids = [chain[0], ...[...chain].reverse()].map((t) => t.id);
    expect(error.details).toContain(ids.join(' -> '));
    expect(error.details).not.toContain(side.id);
  });

  it('refuses a cycle across projects', async () => {
    const p1 = await work.project(owner);
    const p2 = await work.project(owner);
    const x = await work.task(owner, p1.id);
    const y = await work.task(owner, p2.id);
    const z = await work.task(owner, p1.id);
    await block(owner, y, x);
    await block(owner, z, y);
    const error = await grpcError(block(owner, x, z));
    expect(error).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'DEPENDENCY_CYCLE' });
    expect(error.details).toContain(`${x.id} -> ${z.id} -> ${y.id} -> ${x.id}`);
  });

  it('accepts a diamond (two paths, no cycle) and refuses a duplicate', async () => {
    const project = await work.project(owner);
    const [top, left, right, bottom] = await Promise.all(
      [0, 1, 2, 3].map(() => work.task(owner, project.id)),
    );
    await block(owner, left, top);
    await block(owner, right, top);
    await block(owner, bottom, left);
    const done = await block(owner, bottom, right);
    expect(done.blockedByTaskIds.sort()).toEqual([left.id, right.id].sort());
    expect((await grpcError(block(owner, bottom, right))).code).toBe(status.ALREADY_EXISTS);
  });

  it('lets only one of two concurrent opposite dependencies in', async () => {
    const project = await work.project(owner);
    const a = await work.task(owner, project.id);
    const b = await work.task(owner, project.id);
    const results = await Promise.allSettled([block(owner, a, b), block(owner, b, a)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('keeps a task from DONE while a blocker is open, then emits completed', async () => {
    const project = await work.project(owner, team());
    const blocker = await work.task(member, project.id);
    const task = await work.task(member, project.id);
    await block(member, task, blocker);
    const refused = await grpcError(setStatus(member, task, TaskStatus.TASK_STATUS_DONE));
    expect(refused).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'OPEN_BLOCKERS' });
    expect(refused.details).toContain(blocker.id);
    await setStatus(member, blocker, TaskStatus.TASK_STATUS_CANCELLED);
    const done = await setStatus(member, task, TaskStatus.TASK_STATUS_DONE);
    expect(done.completeTime).toBeInstanceOf(Date);
    const seen = await events.waitForSubject(task.id, 3);
    expect(seen.map((e) => e.type)).toEqual([
      'nexus.work.task.created',
      'nexus.work.task.updated',
      'nexus.work.task.completed',
    ]);
    expect(seen[1]?.data.changed).toEqual(['blockedByTaskIds']);
  });

  it('removes a dependency, and a deleted blocker leaves the tasks it blocked', async () => {
    const project = await work.project(owner);
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => work.task(owner, project.id)));
    await block(owner, b, a);
    await block(owner, c, a);
    expect(
      (await work.tasks.removeDependency({ taskId: b.id, blockerTaskId: a.id }, as(owner)))
        .blockedByTaskIds,
    ).toEqual([]);
    expect(
      (
        await grpcError(
          work.tasks.removeDependency({ taskId: b.id, blockerTaskId: a.id }, as(owner)),
        )
      ).code,
    ).toBe(status.NOT_FOUND);
    await work.tasks.deleteTask({ id: a.id, etag: '' }, as(owner));
    expect((await work.tasks.getTask({ id: c.id }, as(owner))).blockedByTaskIds).toEqual([]);
    expect((await grpcError(work.tasks.getTask({ id: a.id }, as(owner)))).code).toBe(
      status.NOT_FOUND,
    );
  });
});

describe('time tracking', () => {
  it('keeps actual hours equal to the sum of entries under concurrent logging', async () => {
    const project = await work.project(owner, team());
    const task = await work.task(member, project.id);
    const log = (hours: string) =>
      work.tasks.logTime(
        {
          timeEntry: workV1.TimeEntry.fromPartial({
            taskId: task.id,
            hours,
            workDate: '2024-05-01',
            note: 'n',
          }),
          requestId: '',
        },
        as(member),
      );
    const entries = await Promise.all(
      Array.from({ length: 20 }, (_, i) => log(i % 2 === 0 ? '0.25' : '1.5')),
    );
    expect((await work.tasks.getTask({ id: task.id }, as(member))).actualHours).toBe('17.5');
    await work.tasks.deleteTimeEntry({ id: entries[1].id }, as(member));
    expect((await work.tasks.getTask({ id: task.id }, as(member))).actualHours).toBe('16');
    const page = await work.tasks.listTimeEntries(
      { taskId: task.id, pageSize: 15, pageToken: '' },
      as(viewer),
    );
    const rest = await work.tasks.listTimeEntries(
      { taskId: task.id, pageSize: 15, pageToken: page.nextPageToken },
      as(viewer),
    );
    expect(page.timeEntries.length + rest.timeEntries.length).toBe(19);
    expect(rest.nextPageToken).toBe('');
  });

  it('refuses time from viewers, future dates and zero hours', async () => {
    const project = await work.project(owner, team());
    const task = await work.task(member, project.id);
    const viewerLog = await grpcError(
      work.tasks.logTime(
        {
          timeEntry: workV1.TimeEntry.fromPartial({
            taskId: task.id,
            hours: '1',
            workDate: '2024-01-01',
          }),
          requestId: '',
        },
        as(viewer),
      ),
    );
    expect(viewerLog.code).toBe(status.PERMISSION_DENIED);
    const bad = await grpcError(
      work.tasks.logTime(
        {
          timeEntry: workV1.TimeEntry.fromPartial({
            taskId: task.id,
            hours: '0',
            workDate: '2999-01-01',
          }),
          requestId: '',
        },
        as(member),
      ),
    );
    expect(bad.fields.sort()).toEqual(['time_entry.hours', 'time_entry.work_date']);
    const other = await work.tasks.logTime(
      {
        timeEntry: workV1.TimeEntry.fromPartial({
          taskId: task.id,
          hours: '1',
          workDate: '2024-01-01',
        }),
        requestId: '',
      },
      as(owner),
    );
    expect((await grpcError(work.tasks.deleteTimeEntry({ id: other.id }, as(member)))).code).toBe(
      status.PERMISSION_DENIED,
    );
  });
});

describe('ListTasks', () => {
  it('orders by due date (undated last), priority and creation, across keyset pages', async () => {
    const project = await work.project(owner);
    const late = await work.task(owner, project.id, {
      dueDate: '2031-05-01',
      priority: Priority.PRIORITY_LOW,
    });
    const none = await work.task(owner, project.id, { priority: Priority.PRIORITY_CRITICAL });
    const soon = await work.task(owner, project.id, {
      dueDate: '2031-01-01',
      priority: Priority.PRIORITY_HIGH,
    });
    const all = async (orderBy: workV1.TaskOrderBy) => {
      const ids: string[] = [];
      let pageToken = '';
      do {
        const page = await work.tasks.listTasks(
          workV1.ListTasksRequest.fromPartial({
            projectId: project.id,
            orderBy,
            pageSize: 1,
            pageToken,
          }),
          as(owner),
        );
        ids.push(...page.tasks.map((t) => t.id));
        pageToken = page.nextPageToken;
      } while (pageToken);
      return ids;
    };
    expect(await all(TaskOrderBy.TASK_ORDER_BY_DUE_DATE_ASC)).toEqual([soon.id, late.id, none.id]);
    expect(await all(TaskOrderBy.TASK_ORDER_BY_PRIORITY_DESC)).toEqual([none.id, soon.id, late.id]);
    expect(await all(TaskOrderBy.TASK_ORDER_BY_CREATE_TIME_DESC)).toEqual([
      soon.id,
      none.id,
      late.id,
    ]);
  });

  it('finds overdue open tasks, and filters by tag, assignee, status and due range', async () => {
    const project = await work.project(owner, team());
    const overdue = await work.task(owner, project.id, {
      dueDate: '2020-01-01',
      tags: ['ops'],
      assigneeId: member.user.id,
    });
    await work.task(owner, project.id, {
      dueDate: '2020-01-01',
      status: TaskStatus.TASK_STATUS_DONE,
    });
    await work.task(owner, project.id, { dueDate: '2999-01-01' });
    const list = (fields: Partial<workV1.ListTasksRequest>) =>
      work.tasks
        .listTasks(
          workV1.ListTasksRequest.fromPartial({ projectId: project.id, ...fields }),
          as(viewer),
        )
        .then((r) => r.tasks.map((t) => t.id));
    expect(await list({ overdueOnly: true })).toEqual([overdue.id]);
    expect(await list({ tag: 'OPS' })).toEqual([overdue.id]);
    expect(await list({ assigneeId: member.user.id })).toEqual([overdue.id]);
    expect((await list({ status: TaskStatus.TASK_STATUS_DONE })).length).toBe(1);
    expect((await list({ dueBefore: '2020-12-31' })).length).toBe(2);
    expect((await list({ dueAfter: '2021-01-01' })).length).toBe(1);
  });
});

describe('users cascade', () => {
  it('unassigns a deactivated user and removes their memberships, once', async () => {
    const leaving = await work.signUp();
    const project = await work.project(owner, [[leaving, MemberRole.MEMBER_ROLE_MEMBER]]);
    const task = await work.task(owner, project.id, { assigneeId: leaving.user.id });
    await work.users.deactivate(leaving.user.id);
    await events.waitFor((all) =>
      all.some(
        (e) =>
          e.subject === task.id &&
          e.type === 'nexus.work.task.updated' &&
          e.data.after?.assigneeId === undefined,
      ),
    );
    await events.waitFor((all) =>
      all.some(
        (e) =>
          e.subject === project.id &&
          (e.data.changed ?? []).includes('members') &&
          e.data.before !== null &&
          e.data.after !== null &&
          !JSON.stringify(e.data.after).includes(leaving.user.id),
      ),
    );
    const after = await work.projects.getProject({ id: project.id }, as(owner));
    expect(after.members.map((m) => m.userId)).toEqual([owner.user.id]);
    expect((await work.tasks.getTask({ id: task.id }, as(owner))).assigneeId).toBe('');
    // The users event is delivered at least once; a replay changes nothing more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.about(task.id).filter((e) => e.type === 'nexus.work.task.updated')).toHaveLength(
      1,
    );
  });
});
