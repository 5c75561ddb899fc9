import { status, type ServiceError } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { readStatusDetails } from '@nexus/grpc';
import { commonV1, workV1 } from '@nexus/proto';
import { grpcError, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

const { MemberRole, TaskStatus, Priority } = workV1;

let work: WorkHarness;

beforeAll(async () => {
  work = await startWork();
}, 120_000);

afterAll(async () => {
  await work.stop();
});

/** A word no other test writes, so each test finds only its own tasks. */
const uniqueWord = () => `zq${randomBytes(5).toString('hex').replace(/\d/g, 'x')}`;

function search(user: TestUser, query: string, more: Partial<workV1.SearchTasksRequest> = {}) {
  return work.tasks.searchTasks(
    workV1.SearchTasksRequest.fromPartial({ query, ...more }),
    as(user),
  );
}

const titles = (response: workV1.SearchTasksResponse) =>
  response.results.map((result) => result.task!.title);

describe('SearchTasks', () => {
  it('ranks title over description over tags, stems, and highlights escaped snippets', async () => {
    const owner = await work.signUp();
    const project = await work.project(owner);
    const w = uniqueWord();
    // Oldest first: among equal ranks the newest would lead, so the order below is the rank's.
    await work.task(owner, project.id, { title: `${w} in the title`, description: 'nothing' });
    await work.task(owner, project.id, {
      title: 'Second',
      description: `the ${w} is described <b>here</b> with budgets`,
    });
    await work.task(owner, project.id, { title: 'Third', tags: [w, 'ops'] });
    await work.task(owner, project.id, { title: 'Unrelated', description: 'no match' });

    const found = await search(owner, `${w} `);
    expect(titles(found)).toEqual([`${w} in the title`, 'Second', 'Third']);
    expect(found.approximate).toBe(false);
    expect(found.results[0].snippet).toContain(`<mark>${w}</mark> in the title`);
    expect(found.results[1].snippet).toContain(
      `the <mark>${w}</mark> is described &lt;b&gt;here&lt;/b&gt;`,
    );
    expect(found.results[2].snippet).toContain(`<mark>${w}</mark> ops`);
    expect(found.results[1].task).toMatchObject({
      projectId: project.id,
      reporterId: owner.user.id,
    });
    // Stemming: "budget" finds "budgets".
    expect(titles(await search(owner, `${w} budget `))).toEqual(['Second']);
  });

  it('matches phrases, exclusions, OR and the prefix of the last word', async () => {
    const owner = await work.signUp();
    const project = await work.project(owner);
    const w = uniqueWord();
    await work.task(owner, project.id, { title: `${w} release notes are ready` });
    await work.task(owner, project.id, { title: `${w} notes about the release` });
    await work.task(owner, project.id, { title: `${w} draft forecast` });

    expect(titles(await search(owner, `${w} "release notes" `))).toEqual([
      `${w} release notes are ready`,
    ]);
    expect(titles(await search(owner, `${w} release -ready `))).toEqual([
      `${w} notes about the release`,
    ]);
    expect(titles(await search(owner, `${w} -"release notes" `)).sort()).toEqual(
      [`${w} draft forecast`, `${w} notes about the release`].sort(),
    );
    expect(titles(await search(owner, `${w} ready OR forecast `)).sort()).toEqual(
      [`${w} draft forecast`, `${w} release notes are ready`].sort(),
    );
    expect(titles(await search(owner, `${w} forec`))).toEqual([`${w} draft forecast`]);
  });

  it('filters by project, assignee, status, priority and tag', async () => {
    const [owner, member] = await Promise.all([work.signUp(), work.signUp()]);
    const first = await work.project(owner, [[member, MemberRole.MEMBER_ROLE_MEMBER]]);
    const second = await work.project(owner);
    const w = uniqueWord();
    await work.task(owner, first.id, {
      title: `${w} assigned`,
      assigneeId: member.user.id,
      status: TaskStatus.TASK_STATUS_IN_PROGRESS,
    });
    await work.task(owner, first.id, {
      title: `${w} urgent`,
      priority: Priority.PRIORITY_CRITICAL,
      tags: ['backend'],
    });
    await work.task(owner, second.id, { title: `${w} elsewhere` });

    const only = async (more: Partial<workV1.SearchTasksRequest>) =>
      titles(await search(owner, `${w} `, more)).sort();
    expect(await only({})).toEqual([`${w} assigned`, `${w} elsewhere`, `${w} urgent`]);
    expect(await only({ projectId: second.id })).toEqual([`${w} elsewhere`]);
    expect(await only({ assigneeId: member.user.id })).toEqual([`${w} assigned`]);
    expect(await only({ status: TaskStatus.TASK_STATUS_IN_PROGRESS })).toEqual([`${w} assigned`]);
    expect(await only({ status: TaskStatus.TASK_STATUS_TODO, projectId: first.id })).toEqual([
      `${w} urgent`,
    ]);
    expect(await only({ priority: Priority.PRIORITY_CRITICAL })).toEqual([`${w} urgent`]);
    expect(await only({ tag: 'Backend' })).toEqual([`${w} urgent`]);
    expect(await only({ tag: 'frontend' })).toEqual([]);
  });

  it('pages by rank then newest, with a token bound to the query and filters', async () => {
    const owner = await work.signUp();
    const project = await work.project(owner);
    const w = uniqueWord();
    // The best match is the oldest: rank comes before recency.
    await work.task(owner, project.id, { title: `${w} ${w} twice` });
    for (let i = 0; i < 5; i += 1)
      await work.task(owner, project.id, { title: `${w} number ${i}` });

    const seen: string[] = [];
    const totals: number[] = [];
    let pageToken = '';
    do {
      const page = await search(owner, `${w} `, { pageSize: 2, pageToken, includeTotalSize: true });
      seen.push(...titles(page));
      totals.push(page.totalSize);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([`${w} ${w} twice`, ...[4, 3, 2, 1, 0].map((i) => `${w} number ${i}`)]);
    expect(totals).toEqual([6, 6, 6]);

    const first = await search(owner, `${w} `, { pageSize: 2 });
    for (const other of [
      () => search(owner, `${w} number `, { pageSize: 2, pageToken: first.nextPageToken }),
      () =>
        search(owner, `${w} `, {
          pageSize: 2,
          pageToken: first.nextPageToken,
          projectId: project.id,
        }),
    ]) {
      const replayed = await grpcError(other());
      expect(replayed.code).toBe(status.INVALID_ARGUMENT);
      expect(replayed.fields).toEqual(['page_token']);
    }
  });

  it('finds only tasks of projects the caller is a member of, admins everything', async () => {
    const [owner, viewer, outsider, admin] = await Promise.all([
      work.signUp(),
      work.signUp(),
      work.signUp(),
      work.signUp(commonV1.Role.ROLE_ADMIN),
    ]);
    const guest = await work.signUp(commonV1.Role.ROLE_GUEST);
    const project = await work.project(owner, [
      [viewer, MemberRole.MEMBER_ROLE_VIEWER],
      [guest, MemberRole.MEMBER_ROLE_VIEWER],
    ]);
    const w = uniqueWord();
    await work.task(owner, project.id, { title: `${w} secret plan` });
    // The outsider's own project, with a task the search must not confuse with the secret one.
    await work.task(outsider, (await work.project(outsider)).id, { title: 'Unrelated chores' });

    for (const reader of [owner, viewer, guest, admin]) {
      expect(titles(await search(reader, `${w} plan `))).toEqual([`${w} secret plan`]);
    }

    // A non-member: nothing ranked, counted or found by similarity, even naming the project.
    const stranger = await search(outsider, `${w} secret `, { includeTotalSize: true });
    expect(titles(stranger)).toEqual([]);
    expect(stranger.totalSize).toBe(0);
    expect(titles(await search(outsider, `${w} plan `, { projectId: project.id }))).toEqual([]);
    expect(titles(await search(admin, `${w} plan `, { projectId: project.id }))).toHaveLength(1);
    const typo = await search(outsider, `${w}x secret plan`);
    expect(typo.approximate).toBe(true);
    expect(titles(typo)).toEqual([]);

    // A removed member stops finding the project's tasks at once.
    await work.projects.removeMember({ projectId: project.id, userId: viewer.user.id }, as(owner));
    expect(titles(await search(viewer, `${w} plan `))).toEqual([]);
  });

  it('leaves out deleted tasks and keeps an archived project readable, as GetTask does', async () => {
    const owner = await work.signUp();
    const kept = await work.project(owner);
    const archived = await work.project(owner);
    const w = uniqueWord();
    const gone = await work.task(owner, kept.id, { title: `${w} removed later` });
    await work.task(owner, kept.id, { title: `${w} stays` });
    const shelved = await work.task(owner, archived.id, { title: `${w} shelved` });
    await work.tasks.deleteTask({ id: gone.id, etag: '' }, as(owner));
    await work.projects.deleteProject({ id: archived.id, etag: '' }, as(owner));

    expect((await work.tasks.getTask({ id: shelved.id }, as(owner))).id).toBe(shelved.id);
    expect(titles(await search(owner, `${w} `)).sort()).toEqual([`${w} shelved`, `${w} stays`]);
  });

  it('falls back to titles of close spellings when nothing matches exactly', async () => {
    const owner = await work.signUp();
    const project = await work.project(owner);
    await work.task(owner, project.id, { title: 'Database migration plan' });
    await work.task(owner, project.id, { title: 'Database migration rollback' });
    await work.task(owner, project.id, { title: 'Quarterly budget review' });

    const exact = await search(owner, 'database ');
    expect(exact.approximate).toBe(false);
    expect(titles(exact)).toHaveLength(2);

    const first = await search(owner, 'databse migraton', { pageSize: 1, includeTotalSize: true });
    expect(first.approximate).toBe(true);
    expect(first.totalSize).toBe(2);
    const second = await search(owner, 'databse migraton', {
      pageSize: 1,
      pageToken: first.nextPageToken,
    });
    expect(second.approximate).toBe(true);
    expect([...titles(first), ...titles(second)].sort()).toEqual([
      'Database migration plan',
      'Database migration rollback',
    ]);
    expect(second.nextPageToken).toBe('');

    expect(titles(await search(owner, 'quartrly budget'))).toEqual(['Quarterly budget review']);
    expect(titles(await search(owner, 'xylophone'))).toEqual([]);
  });

  it('refuses bad queries and filters with the field and reason', async () => {
    const owner = await work.signUp();
    const cases: [Partial<workV1.SearchTasksRequest>, string, string][] = [
      [{ query: '' }, 'query', 'EMPTY_QUERY'],
      [{ query: '  OR  ' }, 'query', 'EMPTY_QUERY'],
      [{ query: '-draft' }, 'query', 'NOTHING_TO_FIND'],
      [{ query: 'a'.repeat(501) }, 'query', 'QUERY_TOO_LONG'],
      [{ query: 'plan', projectId: 'not-a-uuid' }, 'project_id', 'CUSTOM'],
      [{ query: 'plan', assigneeId: 'nobody' }, 'assignee_id', 'CUSTOM'],
      [{ query: 'plan', status: 99 as workV1.TaskStatus }, 'status', 'CUSTOM'],
      [{ query: 'plan', pageSize: -1 }, 'page_size', 'TOO_SMALL'],
    ];
    for (const [request, field, reason] of cases) {
      const error = await work.tasks
        .searchTasks(workV1.SearchTasksRequest.fromPartial(request), as(owner))
        .then(
          () => undefined,
          (thrown: ServiceError) => thrown,
        );
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      const violations = readStatusDetails(error!).badRequest?.fieldViolations ?? [];
      expect(violations.map((v) => [v.field, v.reason])).toEqual([[field, reason]]);
    }
  });
});
