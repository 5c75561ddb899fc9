import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { commonV1, workV1 } from '@nexus/proto';
import { EventCollector, grpcError, type TestUser } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

const { MemberRole } = workV1;
const TOPIC = 'nexus.work.task-comment';

let work: WorkHarness;
let events: EventCollector;
let owner: TestUser;
let manager: TestUser;
let member: TestUser;
let viewer: TestUser;
let guest: TestUser;

beforeAll(async () => {
  work = await startWork();
  events = await EventCollector.start([TOPIC, 'nexus.work.task']);
  [owner, manager, member, viewer] = await Promise.all([0, 1, 2, 3].map(() => work.signUp()));
  guest = await work.signUp(commonV1.Role.ROLE_GUEST);
}, 120_000);

afterAll(async () => {
  await events.stop();
  await work.stop();
});

/** A project with every project role, a platform guest as a member, and one task. */
async function place() {
  const project = await work.project(owner, [
    [manager, MemberRole.MEMBER_ROLE_MANAGER],
    [member, MemberRole.MEMBER_ROLE_MEMBER],
    [viewer, MemberRole.MEMBER_ROLE_VIEWER],
    [guest, MemberRole.MEMBER_ROLE_MEMBER],
  ]);
  const task = await work.task(member, project.id);
  return { project, task };
}

const comment = (user: TestUser, taskId: string, text: string, requestId = '') =>
  work.tasks.createTaskComment(
    { comment: workV1.TaskComment.fromPartial({ taskId, text }), requestId },
    as(user),
  );
const edit = (user: TestUser, id: string, text: string, etag = '') =>
  work.tasks.updateTaskComment(
    { comment: workV1.TaskComment.fromPartial({ id, text, etag }), updateMask: ['text'] },
    as(user),
  );
const remove = (user: TestUser, id: string, etag = '') =>
  work.tasks.deleteTaskComment({ id, etag }, as(user));
const list = (user: TestUser, taskId: string, pageSize = 0, pageToken = '') =>
  work.tasks.listTaskComments({ taskId, pageSize, pageToken }, as(user));
const mentionsOf = (commentId: string) =>
  events.about(commentId).filter((event) => event.type === `${TOPIC}.mentioned`);
const typesOf = (commentId: string) => events.about(commentId).map((event) => event.type);

describe('task comments', () => {
  it('lets contributors comment and every reader list them oldest first, in pages', async () => {
    const { task } = await place();
    const written = [];
    for (const [index, author] of [member, owner, manager, member].entries()) {
      written.push(await comment(author, task.id, `note ${index}`));
    }
    expect(written[0]).toMatchObject({ taskId: task.id, authorId: member.user.id, etag: '"1"' });
    for (const reader of [owner, viewer, guest]) {
      expect((await list(reader, task.id)).comments.map((c) => c.text)).toEqual([
        'note 0',
        'note 1',
        'note 2',
        'note 3',
      ]);
    }
    const first = await list(viewer, task.id, 3);
    const rest = await list(viewer, task.id, 3, first.nextPageToken);
    expect([...first.comments, ...rest.comments].map((c) => c.id)).toEqual(
      written.map((c) => c.id),
    );
    expect(rest.nextPageToken).toBe('');
    expect((await grpcError(list(viewer, uuidv7(), 3, first.nextPageToken))).code).toBe(
      status.NOT_FOUND,
    );
  });

  it('refuses viewers and guests writing (PERMISSION_DENIED) and hides the task from outsiders (NOT_FOUND)', async () => {
    const { task } = await place();
    const mine = await comment(member, task.id, 'mine');
    for (const reader of [viewer, guest]) {
      expect(await grpcError(comment(reader, task.id, 'hi'))).toMatchObject({
        code: status.PERMISSION_DENIED,
        reason: 'PROJECT_ROLE_REQUIRED',
      });
    }
    const outsider = await work.signUp();
    for (const call of [
      () => comment(outsider, task.id, 'hi'),
      () => list(outsider, task.id),
      () => edit(outsider, mine.id, 'x'),
      () => remove(outsider, mine.id),
      () => comment(member, uuidv7(), 'no such task'),
    ]) {
      expect((await grpcError(call())).code).toBe(status.NOT_FOUND);
    }
    expect((await list(member, task.id)).comments.map((c) => c.text)).toEqual(['mine']);
  });

  it('lets only the author edit, with the etag, and emits one event per change', async () => {
    const { task } = await place();
    const mine = await comment(member, task.id, 'first draft');
    expect(await grpcError(edit(owner, mine.id, 'hijacked'))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'NOT_COMMENT_AUTHOR',
    });
    const edited = await edit(member, mine.id, 'second draft', mine.etag);
    expect(edited).toMatchObject({ text: 'second draft', etag: '"2"' });
    expect((await grpcError(edit(member, mine.id, 'stale', mine.etag))).code).toBe(status.ABORTED);
    expect(await edit(member, mine.id, 'second draft')).toMatchObject({ etag: '"2"' });
    expect(
      await grpcError(
        work.tasks.updateTaskComment(
          {
            comment: workV1.TaskComment.fromPartial({ id: mine.id, text: 'x' }),
            updateMask: ['author_id'],
          },
          as(member),
        ),
      ),
    ).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['update_mask'] });
    await remove(member, mine.id, edited.etag);
    await events.waitForSubject(mine.id, 3);
    expect(typesOf(mine.id)).toEqual([`${TOPIC}.created`, `${TOPIC}.updated`, `${TOPIC}.deleted`]);
    expect(events.about(mine.id)[1].data).toMatchObject({
      changed: ['text'],
      actor: member.user.id,
      before: { text: 'first draft' },
      after: { text: 'second draft' },
    });
  });

  it('lets the author, owners and managers delete a comment, not another member', async () => {
    const { task } = await place();
    const [a, b, c] = await Promise.all(
      ['a', 'b', 'c'].map((text) => comment(owner, task.id, text)),
    );
    expect(await grpcError(remove(member, a.id))).toMatchObject({
      code: status.PERMISSION_DENIED,
      reason: 'PROJECT_ROLE_REQUIRED',
    });
    expect((await grpcError(remove(viewer, a.id))).code).toBe(status.PERMISSION_DENIED);
    expect((await grpcError(remove(manager, a.id, '"9"'))).code).toBe(status.ABORTED);
    await remove(manager, a.id);
    await remove(owner, b.id);
    const admin = await work.signUp(commonV1.Role.ROLE_ADMIN);
    await remove(admin, c.id);
    expect((await list(owner, task.id)).comments).toEqual([]);
    expect((await grpcError(remove(owner, a.id))).code).toBe(status.NOT_FOUND);
  });

  it('refuses bad input with field violations and writes nothing', async () => {
    const { task } = await place();
    const cases: [() => Promise<unknown>, string][] = [
      [() => comment(member, task.id, '   '), 'comment.text'],
      [() => comment(member, task.id, 'x'.repeat(10_001)), 'comment.text'],
      [() => comment(member, 'not-a-uuid', 'hi'), 'comment.task_id'],
      [() => comment(member, task.id, 'hi', 'not-a-uuid'), 'request_id'],
      [() => list(member, task.id, -1), 'page_size'],
      [() => list(member, task.id, 5, 'garbage'), 'page_token'],
      [() => edit(member, 'nope', 'x'), 'comment.id'],
      [() => remove(member, 'nope'), 'id'],
    ];
    for (const [call, field] of cases) {
      const error = await grpcError(call());
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.fields).toContain(field);
    }
    const tooMany = Array.from({ length: 51 }, () => `<@${uuidv7()}>`).join(' ');
    expect(await grpcError(comment(member, task.id, tooMany))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'TOO_MANY_MENTIONS',
      fields: ['comment.text'],
    });
    expect((await list(member, task.id)).comments).toEqual([]);
  });

  it('replays a create with the same request id instead of writing it twice', async () => {
    const { task } = await place();
    const requestId = uuidv7();
    const first = await comment(member, task.id, `thanks <@${owner.user.id}>`, requestId);
    const again = await comment(member, task.id, `thanks <@${owner.user.id}>`, requestId);
    expect(again.id).toBe(first.id);
    expect((await grpcError(comment(owner, task.id, 'other', requestId))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    await events.waitForSubject(first.id, 2);
    // One comment, one mention: the replay emitted nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(typesOf(first.id)).toEqual([`${TOPIC}.created`, `${TOPIC}.mentioned`]);
  });

  it('refuses writes on a task of an archived project', async () => {
    const { project, task } = await place();
    const earlier = await comment(member, task.id, 'before');
    await work.projects.deleteProject({ id: project.id, etag: '' }, as(owner));
    expect(await grpcError(comment(member, task.id, 'after'))).toMatchObject({
      code: status.FAILED_PRECONDITION,
      reason: 'PROJECT_ARCHIVED',
    });
    expect((await grpcError(edit(member, earlier.id, 'changed'))).reason).toBe('PROJECT_ARCHIVED');
    expect((await list(viewer, task.id)).comments).toHaveLength(1);
  });

  it('erases the comments of a deleted task, each with a deleted event', async () => {
    const { task } = await place();
    const [a, b] = [await comment(member, task.id, 'a'), await comment(owner, task.id, 'b')];
    await work.tasks.deleteTask({ id: task.id, etag: '' }, as(owner));
    for (const gone of [a, b]) {
      await events.waitForSubject(gone.id, 2);
      expect(typesOf(gone.id)).toEqual([`${TOPIC}.created`, `${TOPIC}.deleted`]);
      expect(events.about(gone.id)[1].data.actor).toBe(owner.user.id);
    }
  });
});

describe('mentions', () => {
  it('emits one mentioned event per mentioned member, without the text, never to the author', async () => {
    const { task } = await place();
    const text = `secret plan for <@${viewer.user.id}> and <@${owner.user.id.toUpperCase()}>, cc <@${member.user.id}>`;
    const posted = await comment(member, task.id, text);
    await events.waitForSubject(posted.id, 3);
    const mentioned = mentionsOf(posted.id);
    expect(mentioned.map((event) => event.data.after?.userId).sort()).toEqual(
      [viewer.user.id, owner.user.id].sort(),
    );
    for (const event of mentioned) {
      expect(event.data).toMatchObject({
        before: null,
        actor: member.user.id,
        after: {
          resourceType: 'task-comment',
          resourceId: posted.id,
          parentId: task.id,
          actorId: member.user.id,
        },
      });
      expect(event.key).toBe(posted.id);
      expect(JSON.stringify(event.data)).not.toContain('secret plan');
    }
  });

  it('refuses a mention of someone who cannot read the task, and of an unknown user, writing nothing', async () => {
    const { task } = await place();
    const outsider = await work.signUp();
    expect(await grpcError(comment(member, task.id, `look <@${outsider.user.id}>`))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'MENTIONED_USER_CANNOT_READ',
      fields: ['comment.text'],
    });
    expect(await grpcError(comment(member, task.id, `look <@${uuidv7()}>`))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['comment.text'],
    });
    expect((await list(member, task.id)).comments).toEqual([]);
  });

  it('reads <!room> as every member of the project but the author', async () => {
    const { task } = await place();
    const posted = await comment(owner, task.id, 'standup in 5 <!room>');
    await events.waitForSubject(posted.id, 5);
    expect(
      mentionsOf(posted.id)
        .map((event) => event.data.after?.userId)
        .sort(),
    ).toEqual([manager, member, viewer, guest].map((user) => user.user.id).sort());
  });

  it('tells only the users an edit newly mentions', async () => {
    const { task } = await place();
    const posted = await comment(member, task.id, `ping <@${viewer.user.id}>`);
    await events.waitForSubject(posted.id, 2);
    await edit(member, posted.id, `ping <@${viewer.user.id}> and <@${manager.user.id}>`);
    await events.waitFor(() => mentionsOf(posted.id).length >= 2);
    await edit(member, posted.id, `ping <@${manager.user.id}> only`);
    await events.waitForSubject(posted.id, 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mentionsOf(posted.id).map((event) => event.data.after?.userId)).toEqual([
      viewer.user.id,
      manager.user.id,
    ]);
  });
});
