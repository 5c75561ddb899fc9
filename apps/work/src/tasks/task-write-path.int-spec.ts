import { workV1 } from '@nexus/proto';
import type { TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

let work: WorkHarness;
let owner: TestUser;

beforeAll(async () => {
  work = await startWork();
  owner = await work.signUp();
}, 120_000);

afterAll(async () => {
  await work.stop();
});

/** The SQL the work service sends while `call` runs (the outbox relay's own polling left out). */
async function sqlOf(call: () => Promise<unknown>): Promise<string[]> {
  const { logger } = work.service.runtime.dataSource;
  const sent: string[] = [];
  const spy = jest.spyOn(logger, 'logQuery').mockImplementation((query: string) => {
    if (!/outbox/i.test(query)) sent.push(query.replace(/\s+/g, ' ').trim());
  });
  try {
    await call();
  } finally {
    spy.mockRestore();
  }
  return sent;
}

describe('one write of a task', () => {
  it('UpdateTask locks the task once and loads its blockers once, with the lock', async () => {
    const project = await work.project(owner);
    const [task, blocker] = [
      await work.task(owner, project.id),
      await work.task(owner, project.id),
    ];
    await work.tasks.addDependency({ taskId: task.id, blockerTaskId: blocker.id }, as(owner));

    const sql = await sqlOf(() =>
      work.tasks.updateTask(
        { task: workV1.Task.fromPartial({ id: task.id, title: 'renamed' }), updateMask: ['title'] },
        as(owner),
      ),
    );
    const blockerReads = sql.filter((query) => /FROM "work"\."task_dependencies"/.test(query));
    expect(blockerReads).toHaveLength(1);
    expect(sql.filter((query) => /FOR NO KEY UPDATE/.test(query))).toHaveLength(1);
    // The row is written once (no second read of it after the save).
    expect(sql.filter((query) => /^UPDATE "work"\."tasks"/.test(query))).toHaveLength(1);

    const after = await work.tasks.getTask({ id: task.id }, as(owner));
    expect(after).toMatchObject({ title: 'renamed', blockedByTaskIds: [blocker.id], etag: '"3"' });
  });
});
