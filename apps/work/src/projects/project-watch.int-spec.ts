import { credentials, status } from '@grpc/grpc-js';
import { commonV1, workV1 } from '@nexus/proto';
import { WatchReader, bearer, grpcError, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

const { MemberRole, TaskStatus } = workV1;
type Item = workV1.WatchProjectResponse;

let work: WorkHarness;
let client: workV1.ProjectServiceClient;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let admin: TestUser;
const open: WatchReader<Item>[] = [];

beforeAll(async () => {
  work = await startWork();
  client = new workV1.ProjectServiceClient(
    `127.0.0.1:${work.service.grpcPort}`,
    credentials.createInsecure(),
  );
  [owner, member, outsider, admin] = await Promise.all([
    work.signUp(),
    work.signUp(),
    work.signUp(),
    work.signUp(commonV1.Role.ROLE_ADMIN),
  ]);
}, 120_000);

afterEach(() => {
  for (const reader of open.splice(0)) reader.cancel();
});

afterAll(async () => {
  client.close();
  await work.stop();
});

function watch(user: TestUser, projectId: string, cursor = ''): WatchReader<Item> {
  const reader = new WatchReader(client.watchProject({ projectId, cursor }, bearer(user.token)));
  open.push(reader);
  return reader;
}

/** A stream past its caught_up item (live from here on). */
async function live(user: TestUser, projectId: string): Promise<WatchReader<Item>> {
  const reader = watch(user, projectId);
  const [first] = await reader.take(1);
  expect(first).toMatchObject({ verb: 'caught_up', resource: undefined });
  expect(first.cursor).not.toBe('');
  return reader;
}

/**
 * The etags of a project's setup changes (created, member added): a stream
 * opened right after them may still get them live, since "from now" is where
 * the change feed is, which may trail the commits by a relay round.
 */
const setup = new Set<string>();

/** A project of the owner's with `member` in it; its setup changes are left out of `changes`. */
async function teamProject(): Promise<workV1.Project> {
  const project = await work.projects.createProject(
    { project: workV1.Project.fromPartial({ name: 'Apollo' }), requestId: '' },
    as(owner),
  );
  const added = await work.projects.addMember(
    { projectId: project.id, userId: member.user.id, role: MemberRole.MEMBER_ROLE_MEMBER },
    as(owner),
  );
  setup.add(project.etag).add(added.etag);
  return added;
}

const what = (item: Item) =>
  `${item.verb} ${item.resource?.$case ?? '-'} ${
    item.resource?.$case === 'task' ? item.resource.value.title : ''
  }`.trim();

/** The stream's changes but caught_up and the setup's. */
const changes = (items: Item[]) =>
  items.filter(
    (item) =>
      item.verb !== 'caught_up' &&
      !(item.resource?.$case === 'project' && setup.has(item.resource.value.etag)),
  );

/** The first `count` changes of a stream, once they came. */
async function take(reader: WatchReader<Item>, count: number): Promise<Item[]> {
  const items = await reader.until((all) => changes(all).length >= count);
  return changes(items).slice(0, count);
}

async function update(task: workV1.Task, fields: Partial<workV1.Task>, paths: string[]) {
  return work.tasks.updateTask({ task: { ...task, ...fields }, updateMask: paths }, as(owner));
}

describe('WatchProject', () => {
  it("sends the project's and its tasks' changes made through the API, in order, to a member and an admin, and nothing of other projects", async () => {
    const project = await teamProject();
    const other = await teamProject();
    const byMember = await live(member, project.id);
    const byAdmin = await live(admin, project.id);

    const task = await work.task(owner, project.id, { title: 'Write' });
    await work.task(owner, other.id, { title: 'Elsewhere' });
    const renamed = await update(task, { title: 'Write it' }, ['title']);
    const done = await update(renamed, { status: TaskStatus.TASK_STATUS_DONE }, ['status']);
    await work.tasks.deleteTask({ id: task.id, etag: done.etag }, as(owner));
    const named = await work.projects.updateProject(
      { project: { ...project, name: 'Gemini' }, updateMask: ['name'], force: false },
      as(owner),
    );

    for (const reader of [byMember, byAdmin]) {
      const items = await take(reader, 5);
      expect(items.map(what)).toEqual([
        'created task Write',
        'updated task Write it',
        'completed task Write it',
        'deleted task Write it',
        'updated project',
      ]);
      // Each item is the resource the unary API returned, with its etag.
      expect(items[2].resource).toEqual({ $case: 'task', value: done });
      expect(items[4].resource).toMatchObject({
        $case: 'project',
        value: { name: 'Gemini', etag: named.etag },
      });
      expect(items.every((item) => item.actorId === owner.user.id)).toBe(true);
      expect(items.every((item) => item.changeTime instanceof Date)).toBe(true);
      expect(new Set(items.map((item) => item.cursor)).size).toBe(5);
    }
  }, 60_000);

  it('resumes after a cursor with exactly the changes missed, in order, then caught_up and live ones', async () => {
    const project = await teamProject();
    const first = await live(member, project.id);
    await work.task(owner, project.id, { title: 'Seen' });
    const [seen] = await take(first, 1);
    expect(what(seen)).toBe('created task Seen');
    first.cancel();

    await work.task(owner, project.id, { title: 'Missed 1' });
    const other = await teamProject();
    await work.task(owner, other.id, { title: 'Not this project' });
    await work.task(owner, project.id, { title: 'Missed 2' });

    const resumed = watch(member, project.id, seen.cursor);
    await take(resumed, 2);
    await work.task(owner, project.id, { title: 'Live' });
    // Missed changes the feed had when the stream opened come before caught_up, later ones after it.
    const items = await resumed.until((all) => changes(all).length >= 3);
    expect(changes(items).map(what)).toEqual([
      'created task Missed 1',
      'created task Missed 2',
      'created task Live',
    ]);
    expect(items.filter((item) => item.verb === 'caught_up')).toHaveLength(1);
    expect(items).toHaveLength(4);
  }, 60_000);

  it("ends a removed member's stream with GetProject's status and sends them nothing after", async () => {
    const project = await teamProject();
    const reader = await live(member, project.id);
    const byOwner = await live(owner, project.id);
    const removed = await work.projects.removeMember(
      { projectId: project.id, userId: member.user.id },
      as(owner),
    );
    await work.task(owner, project.id, { title: 'After' });

    const ended = await reader.error();
    const get = await grpcError(work.projects.getProject({ id: project.id }, as(member)));
    expect(ended.code).toBe(status.PERMISSION_DENIED);
    expect([ended.code, ended.reason]).toEqual([get.code, get.reason]);
    expect(changes(reader.items)).toEqual([]);
    // The owner keeps watching: the removal, then the task.
    const items = await take(byOwner, 2);
    expect(items.map(what)).toEqual(['updated project', 'created task After']);
    expect(items[0].resource).toMatchObject({ value: { etag: removed.etag } });
  }, 60_000);

  it('keeps the stream of an archived project open: deleted and restored are items', async () => {
    const project = await teamProject();
    const reader = await live(member, project.id);
    const archived = await work.projects.deleteProject(
      { id: project.id, etag: project.etag },
      as(owner),
    );
    await work.projects.undeleteProject({ id: project.id }, as(owner));
    const items = await take(reader, 2);
    expect(items.map(what)).toEqual(['deleted project', 'restored project']);
    expect(items[0].resource).toMatchObject({ value: { deleteTime: archived.deleteTime } });
    expect(reader.isOpen).toBe(true);
  }, 60_000);

  it("refuses a stranger at open with GetProject's status, and an unknown project with NOT_FOUND", async () => {
    const project = await teamProject();
    const stranger = await watch(outsider, project.id).error();
    const get = await grpcError(work.projects.getProject({ id: project.id }, as(outsider)));
    expect([stranger.code, stranger.reason]).toEqual([get.code, get.reason]);
    expect(stranger.code).toBe(status.PERMISSION_DENIED);
    const unknown = await watch(owner, '0190d5c2-7b1e-7cc0-8000-00000000dead').error();
    expect(unknown.code).toBe(status.NOT_FOUND);
  }, 60_000);

  it('refuses a project id that is no UUID, an overlong cursor and a cursor it never gave with INVALID_ARGUMENT', async () => {
    const project = await teamProject();
    const badId = await watch(owner, 'not-a-uuid').error();
    expect([badId.code, badId.fields]).toEqual([status.INVALID_ARGUMENT, ['project_id']]);
    const long = await watch(owner, project.id, 'x'.repeat(257)).error();
    expect([long.code, long.fields]).toEqual([status.INVALID_ARGUMENT, ['cursor']]);
    const foreign = Buffer.from('content:1').toString('base64url');
    const notOurs = await watch(owner, project.id, foreign).error();
    expect([notOurs.code, notOurs.fields]).toEqual([status.INVALID_ARGUMENT, ['cursor']]);
    expect(notOurs.details).toMatch(/not a cursor this service gave/);
  }, 60_000);
});
