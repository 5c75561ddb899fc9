import { status } from '@grpc/grpc-js';
import { createWorkClients } from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { workV1 } from '@nexus/proto';
import { signTestToken, startHangingPeer, timedFailure, type HangingPeer } from '@nexus/testing';
import { startWork, type WorkHarness } from '../testing/work-harness';

/**
 * Every RPC of work that asks the users service (AddMember, and CreateTask
 * and UpdateTask naming an assignee), with users hanging and then down.
 */
const CALLER_DEADLINE_MS = 5_000;

let users: HangingPeer;
let work: WorkHarness;
/** Clients that do not retry UNAVAILABLE, as the harness's do: one call, one answer, timed. */
let once: ReturnType<typeof createWorkClients>;
const caller = { token: '' };
let project: workV1.Project;
let task: workV1.Task;

beforeAll(async () => {
  users = await startHangingPeer();
  // The peer's timeout well inside the caller's deadline, as a busy test machine needs.
  work = await startWork({ USERS_GRPC_ADDRESS: users.address, USERS_GRPC_TIMEOUT_MS: '1000' });
  once = createWorkClients({ address: `127.0.0.1:${work.service.grpcPort}`, retries: 0 });
  caller.token = signTestToken({ role: 'user' });
  // Neither names another user: no call to users.
  project = await work.projects.createProject(
    { project: workV1.Project.fromPartial({ name: 'Apollo' }), requestId: '' },
    caller,
  );
  task = await work.tasks.createTask(
    { task: workV1.Task.fromPartial({ title: 'Do it', projectId: project.id }), requestId: '' },
    caller,
  );
}, 120_000);

afterAll(async () => {
  once?.projects.close();
  once?.tasks.close();
  await work?.stop();
  await users?.stop();
});

type Call = (options: { token: string; deadline: Date }) => Promise<unknown>;

const calls: [string, Call][] = [
  [
    'AddMember',
    (options) =>
      once.projects.addMember(
        {
          projectId: project.id,
          userId: uuidv7(),
          role: workV1.MemberRole.MEMBER_ROLE_MEMBER,
        },
        options,
      ),
  ],
  [
    'CreateTask',
    (options) =>
      once.tasks.createTask(
        {
          task: workV1.Task.fromPartial({
            title: 'Assigned',
            projectId: project.id,
            assigneeId: uuidv7(),
          }),
          requestId: '',
        },
        options,
      ),
  ],
  [
    'UpdateTask',
    (options) =>
      once.tasks.updateTask(
        {
          task: workV1.Task.fromPartial({ id: task.id, assigneeId: uuidv7() }),
          updateMask: ['assignee_id'],
        },
        options,
      ),
  ],
];

async function expectUnavailable(call: Call) {
  const failure = await timedFailure(() =>
    call({ ...caller, deadline: new Date(Date.now() + CALLER_DEADLINE_MS) }),
  );
  expect(failure).toMatchObject({
    code: status.UNAVAILABLE,
    reason: 'DEPENDENCY_UNAVAILABLE',
    peer: 'users',
  });
  expect(failure.elapsedMs).toBeLessThan(CALLER_DEADLINE_MS);
}

describe('work with the users service accepting connections and never answering', () => {
  it.each(calls)('%s answers UNAVAILABLE naming users within the deadline', (_, call) =>
    expectUnavailable(call),
  );

  it('did reach the hanging users service', () => {
    expect(users.accepted()).toBeGreaterThan(0);
  });
});

describe('work with the users service down (connections refused)', () => {
  beforeAll(() => users.stop());

  it.each(calls)('%s answers UNAVAILABLE naming users within the deadline', (_, call) =>
    expectUnavailable(call),
  );

  it('changed nothing: no member, no new task, the task unassigned', async () => {
    const now = await work.projects.getProject({ id: project.id }, caller);
    expect(now.members).toHaveLength(1);
    const { tasks } = await work.tasks.listTasks(
      workV1.ListTasksRequest.fromPartial({ projectId: project.id }),
      caller,
    );
    expect(tasks.map((t) => [t.id, t.assigneeId, t.etag])).toEqual([[task.id, '', task.etag]]);
  });
});
