import { status } from '@grpc/grpc-js';
import { commonV1, workV1 } from '@nexus/proto';
import { EventCollector, grpcError, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

const { MemberRole, ProjectStatus, TaskStatus } = workV1;

let work: WorkHarness;
let events: EventCollector;
let owner: TestUser;
let manager: TestUser;
let member: TestUser;
let viewer: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  work = await startWork();
  events = await EventCollector.start(['nexus.work.project']);
  [owner, manager, member, viewer, outsider] = await Promise.all(
    [0, 1, 2, 3, 4].map(() => work.signUp()),
  );
}, 120_000);

afterAll(async () => {
  await events.stop();
  await work.stop();
});

const team = (): [TestUser, workV1.MemberRole][] => [
  [manager, MemberRole.MEMBER_ROLE_MANAGER],
  [member, MemberRole.MEMBER_ROLE_MEMBER],
  [viewer, MemberRole.MEMBER_ROLE_VIEWER],
];

describe('CreateProject', () => {
  it('makes the caller the owner, keeps the budget as an exact decimal, and emits one created event', async () => {
    const project = await work.projects.createProject(
      {
        project: workV1.Project.fromPartial({
          name: 'Budgeted',
          budget: { amount: '1234567.89', currencyCode: 'EUR' },
          hourlyRate: '80.5',
          startDate: '2030-01-01',
          endDate: '2030-06-30',
        }),
        requestId: '',
      },
      as(owner),
    );
    expect(project).toMatchObject({
      ownerId: owner.user.id,
      status: ProjectStatus.PROJECT_STATUS_PLANNING,
      budget: { amount: '1234567.89', currencyCode: 'EUR' },
      members: [{ userId: owner.user.id, role: MemberRole.MEMBER_ROLE_OWNER }],
      completionPercent: 0,
      spentHours: '0',
    });
    const [created] = await events.waitForSubject(project.id, 1);
    expect(created?.type).toBe('nexus.work.project.created');
    expect(created?.data.after).toMatchObject({ budget: { amount: '1234567.89' } });
  });

  it('rejects an end date before the start, a bad budget and an empty name, writing nothing', async () => {
    const requestId = '0190d5c2-7b1e-7cc0-8000-000000000001';
    const error = await grpcError(
      work.projects.createProject(
        {
          project: workV1.Project.fromPartial({
            name: ' ',
            startDate: '2030-02-01',
            endDate: '2030-01-01',
            budget: { amount: '12.345', currencyCode: 'eur' },
          }),
          requestId,
        },
        as(owner),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual(
      [
        'project.budget.amount',
        'project.budget.currency_code',
        'project.end_date',
        'project.name',
      ].sort(),
    );
  });

  it('returns the first project when a create is retried with the same request id', async () => {
    const request = {
      project: workV1.Project.fromPartial({ name: 'Once' }),
      requestId: '0190d5c2-7b1e-7cc0-8000-00000000a001',
    };
    const first = await work.projects.createProject(request, as(owner));
    const again = await work.projects.createProject(request, as(owner));
    expect(again.id).toBe(first.id);
  });

  it('refuses guests', async () => {
    const guest = await work.signUp(commonV1.Role.ROLE_GUEST);
    const error = await grpcError(
      work.projects.createProject(
        { project: workV1.Project.fromPartial({ name: 'x' }), requestId: '' },
        as(guest),
      ),
    );
    expect(error.code).toBe(status.PERMISSION_DENIED);
  });
});

describe('membership and roles', () => {
  it('lets members and viewers read, and refuses outsiders', async () => {
    const project = await work.project(owner, team());
    for (const reader of [owner, manager, member, viewer]) {
      expect((await work.projects.getProject({ id: project.id }, as(reader))).id).toBe(project.id);
    }
    expect((await grpcError(work.projects.getProject({ id: project.id }, as(outsider)))).code).toBe(
      status.PERMISSION_DENIED,
    );
  });

  it('lets managers change the project and members, but not members or viewers', async () => {
    const project = await work.project(owner, team());
    const rename = (user: TestUser, etag = '') =>
      work.projects.updateProject(
        {
          project: workV1.Project.fromPartial({ id: project.id, name: 'Renamed', etag }),
          updateMask: ['name'],
          force: false,
        },
        as(user),
      );
    for (const user of [member, viewer]) {
      expect((await grpcError(rename(user))).code).toBe(status.PERMISSION_DENIED);
    }
    expect((await rename(manager)).name).toBe('Renamed');
    expect(
      (
        await grpcError(
          work.projects.addMember(
            {
              projectId: project.id,
              userId: outsider.user.id,
              role: MemberRole.MEMBER_ROLE_MEMBER,
            },
            as(member),
          ),
        )
      ).code,
    ).toBe(status.PERMISSION_DENIED);
    const added = await work.projects.addMember(
      { projectId: project.id, userId: outsider.user.id, role: MemberRole.MEMBER_ROLE_VIEWER },
      as(manager),
    );
    expect(added.members.map((m) => m.userId)).toContain(outsider.user.id);
  });

  it('refuses a stale etag with ABORTED and changes nothing', async () => {
    const project = await work.project(owner);
    await work.projects.updateProject(
      {
        project: workV1.Project.fromPartial({
          id: project.id,
          description: 'one',
          etag: project.etag,
        }),
        updateMask: ['description'],
        force: false,
      },
      as(owner),
    );
    const error = await grpcError(
      work.projects.updateProject(
        {
          project: workV1.Project.fromPartial({
            id: project.id,
            description: 'two',
            etag: project.etag,
          }),
          updateMask: ['description'],
          force: false,
        },
        as(owner),
      ),
    );
    expect(error.code).toBe(status.ABORTED);
    expect((await work.projects.getProject({ id: project.id }, as(owner))).description).toBe('one');
  });

  it('adds only active users, once, and keeps the last owner', async () => {
    const project = await work.project(owner);
    const gone = await work.signUp();
    await work.users.deactivate(gone.user.id);
    const inactive = await grpcError(
      work.projects.addMember(
        { projectId: project.id, userId: gone.user.id, role: MemberRole.MEMBER_ROLE_MEMBER },
        as(owner),
      ),
    );
    expect(inactive).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['user_id'],
    });
    const unknown = await grpcError(
      work.projects.addMember(
        {
          projectId: project.id,
          userId: '0190d5c2-7b1e-7cc0-8000-0000000000ff',
          role: MemberRole.MEMBER_ROLE_MEMBER,
        },
        as(owner),
      ),
    );
    expect(unknown).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['user_id'],
    });
    await work.projects.addMember(
      { projectId: project.id, userId: member.user.id, role: MemberRole.MEMBER_ROLE_MEMBER },
      as(owner),
    );
    const twice = await grpcError(
      work.projects.addMember(
        { projectId: project.id, userId: member.user.id, role: MemberRole.MEMBER_ROLE_VIEWER },
        as(owner),
      ),
    );
    expect(twice.code).toBe(status.ALREADY_EXISTS);
    const lastOwner = await grpcError(
      work.projects.removeMember({ projectId: project.id, userId: owner.user.id }, as(owner)),
    );
    expect(lastOwner).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'LAST_OWNER' });
  });

  it('emits one project event per membership change and bumps the etag', async () => {
    const project = await work.project(owner);
    const added = await work.projects.addMember(
      { projectId: project.id, userId: viewer.user.id, role: MemberRole.MEMBER_ROLE_VIEWER },
      as(owner),
    );
    const promoted = await work.projects.updateMember(
      { projectId: project.id, userId: viewer.user.id, role: MemberRole.MEMBER_ROLE_MEMBER },
      as(owner),
    );
    const removed = await work.projects.removeMember(
      { projectId: project.id, userId: viewer.user.id },
      as(owner),
    );
    expect(new Set([project.etag, added.etag, promoted.etag, removed.etag]).size).toBe(4);
    const seen = await events.waitForSubject(project.id, 4);
    expect(seen.map((e) => e.type)).toEqual([
      'nexus.work.project.created',
      'nexus.work.project.updated',
      'nexus.work.project.updated',
      'nexus.work.project.updated',
    ]);
    expect(seen[1]?.data.changed).toEqual(['members']);
  });

  it('lets admins do everything', async () => {
    const project = await work.project(owner);
    const admin = work.users.admin;
    expect((await work.projects.getProject({ id: project.id }, as(admin))).id).toBe(project.id);
    const archived = await work.projects.deleteProject({ id: project.id, etag: '' }, as(admin));
    expect(archived.deleteTime).toBeDefined();
  });
});

describe('archive', () => {
  it('archives and restores; archived projects leave the list unless show_deleted', async () => {
    const project = await work.project(owner, team());
    const managerArchive = await grpcError(
      work.projects.deleteProject({ id: project.id, etag: '' }, as(manager)),
    );
    expect(managerArchive.code).toBe(status.PERMISSION_DENIED);
    await work.projects.deleteProject({ id: project.id, etag: project.etag }, as(owner));
    const list = (showDeleted: boolean) =>
      work.projects.listProjects(
        workV1.ListProjectsRequest.fromPartial({ showDeleted, pageSize: 1000 }),
        as(owner),
      );
    expect((await list(false)).projects.map((p) => p.id)).not.toContain(project.id);
    expect((await list(true)).projects.map((p) => p.id)).toContain(project.id);
    const write = await grpcError(work.task(member, project.id));
    expect(write).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'PROJECT_ARCHIVED' });
    const restored = await work.projects.undeleteProject({ id: project.id }, as(owner));
    expect(restored.deleteTime).toBeUndefined();
    const [, , , , deleted, restoredEvent] = await events.waitForSubject(project.id, 6);
    expect([deleted?.type, restoredEvent?.type]).toEqual([
      'nexus.work.project.deleted',
      'nexus.work.project.restored',
    ]);
  });
});

describe('ListProjects', () => {
  it('filters by status, member and date range, in keyset pages', async () => {
    const mine = await work.signUp();
    const a = await work.project(mine, [], {
      status: ProjectStatus.PROJECT_STATUS_ACTIVE,
      startDate: '2031-01-10',
    });
    const b = await work.project(mine, [[member, MemberRole.MEMBER_ROLE_MEMBER]], {
      status: ProjectStatus.PROJECT_STATUS_ACTIVE,
      startDate: '2031-03-10',
    });
    await work.project(mine, [], { status: ProjectStatus.PROJECT_STATUS_ON_HOLD });
    const active = await work.projects.listProjects(
      workV1.ListProjectsRequest.fromPartial({
        status: ProjectStatus.PROJECT_STATUS_ACTIVE,
        pageSize: 1,
        includeTotalSize: true,
      }),
      as(mine),
    );
    expect(active.totalSize).toBe(2);
    const next = await work.projects.listProjects(
      workV1.ListProjectsRequest.fromPartial({
        status: ProjectStatus.PROJECT_STATUS_ACTIVE,
        pageSize: 1,
        pageToken: active.nextPageToken,
      }),
      as(mine),
    );
    expect([...active.projects, ...next.projects].map((p) => p.id)).toEqual([b.id, a.id]);
    const withMember = await work.projects.listProjects(
      workV1.ListProjectsRequest.fromPartial({ memberId: member.user.id, ownerId: mine.user.id }),
      as(mine),
    );
    expect(withMember.projects.map((p) => p.id)).toEqual([b.id]);
    const inFebruary = await work.projects.listProjects(
      workV1.ListProjectsRequest.fromPartial({
        startDateFrom: '2031-02-01',
        startDateTo: '2031-12-31',
      }),
      as(mine),
    );
    expect(inFebruary.projects.map((p) => p.id)).toEqual([b.id]);
  });
});

describe('completion and stats', () => {
  it('computes completion by count without estimates and by estimated hours with them', async () => {
    const project = await work.project(owner);
    const done = { status: TaskStatus.TASK_STATUS_DONE };
    await work.task(owner, project.id, done);
    await work.task(owner, project.id);
    await work.task(owner, project.id);
    await work.task(owner, project.id, { status: TaskStatus.TASK_STATUS_CANCELLED });
    expect((await work.projects.getProject({ id: project.id }, as(owner))).completionPercent).toBe(
      33.33,
    );

    const weighted = await work.project(owner);
    await work.task(owner, weighted.id, { ...done, estimatedHours: '6' });
    await work.task(owner, weighted.id, { estimatedHours: '2' });
    // Unestimated: weighs the mean estimate (4 hours).
    await work.task(owner, weighted.id);
    expect((await work.projects.getProject({ id: weighted.id }, as(owner))).completionPercent).toBe(
      50,
    );
  });

  it('reports tasks per status, overdue tasks, hours, and budget against spent money', async () => {
    const project = await work.project(owner, [[member, MemberRole.MEMBER_ROLE_MEMBER]], {
      budget: { amount: '1000', currencyCode: 'USD' },
      hourlyRate: '100',
    });
    const late = await work.task(member, project.id, {
      dueDate: '2020-01-01',
      estimatedHours: '3.5',
    });
    await work.task(member, project.id, {
      dueDate: '2020-01-01',
      status: TaskStatus.TASK_STATUS_DONE,
    });
    await work.tasks.logTime(
      {
        timeEntry: workV1.TimeEntry.fromPartial({
          taskId: late.id,
          hours: '2.25',
          workDate: '2024-05-01',
        }),
        requestId: '',
      },
      as(member),
    );
    const stats = await work.projects.getProjectStats({ projectId: project.id }, as(member));
    expect(stats).toMatchObject({
      totalTasks: 2,
      overdueTasks: 1,
      estimatedHours: '3.5',
      actualHours: '2.25',
      completionPercent: 50,
      budget: { amount: '1000.00', currencyCode: 'USD' },
      spent: { amount: '225.00', currencyCode: 'USD' },
      budgetUsedPercent: 22.5,
    });
    expect(stats.tasksByStatus.find((s) => s.status === TaskStatus.TASK_STATUS_TODO)?.count).toBe(
      1,
    );
    expect((await work.projects.getProject({ id: project.id }, as(member))).spentHours).toBe(
      '2.25',
    );
  });

  it('refuses to complete a project with open tasks unless forced', async () => {
    const project = await work.project(owner);
    await work.task(owner, project.id);
    const complete = (force: boolean) =>
      work.projects.updateProject(
        {
          project: workV1.Project.fromPartial({
            id: project.id,
            status: ProjectStatus.PROJECT_STATUS_COMPLETED,
          }),
          updateMask: ['status'],
          force,
        },
        as(owner),
      );
    expect(await grpcError(complete(false))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'OPEN_TASKS',
    });
    expect((await work.projects.getProject({ id: project.id }, as(owner))).status).toBe(
      ProjectStatus.PROJECT_STATUS_PLANNING,
    );
    expect((await complete(true)).status).toBe(ProjectStatus.PROJECT_STATUS_COMPLETED);
  });
});

describe('concurrent writes to one project', () => {
  it('serialises renames and member changes instead of deadlocking them', async () => {
    const project = await work.project(owner, team());
    const rename = (i: number) =>
      work.projects.updateProject(
        {
          project: workV1.Project.fromPartial({ id: project.id, description: `take ${i}` }),
          updateMask: ['description'],
          force: false,
        },
        as(owner),
      );
    const promote = (role: workV1.MemberRole) =>
      work.projects.updateMember(
        { projectId: project.id, userId: member.user.id, role },
        as(owner),
      );
    // Each write locks the project to check access and then to change it; taken
    // in two steps (share, then update) two of these deadlock, ending ABORTED.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? promote(i % 2 ? MemberRole.MEMBER_ROLE_MANAGER : MemberRole.MEMBER_ROLE_MEMBER)
          : rename(i),
      ),
    );
    const failures = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [(o.reason as { code?: number }).code] : [],
    );
    expect(failures).toEqual([]);
    const after = await work.projects.getProject({ id: project.id }, as(owner));
    expect(Number(after.etag.replace(/"/g, ''))).toBeGreaterThan(
      Number(project.etag.replace(/"/g, '')),
    );
  });
});
