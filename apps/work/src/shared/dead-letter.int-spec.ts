import { workV1 } from '@nexus/proto';
import { DeadLetterReader, header, poisonedUserDeleted } from '@nexus/testing';
import { as, startWork, type WorkHarness } from '../testing/work-harness';

let work: WorkHarness;
let deadLetters: DeadLetterReader;

beforeAll(async () => {
  work = await startWork();
  deadLetters = await DeadLetterReader.start('work', 'nexus-work');
}, 120_000);

afterAll(async () => {
  await deadLetters?.stop();
  await work?.stop();
});

describe('the users consumer', () => {
  it('dead-letters a malformed user event to nexus.work.dlq with its reason, then applies the next one', async () => {
    const [owner, leaving] = [await work.signUp(), await work.signUp()];
    const project = await work.project(owner, [[leaving, workV1.MemberRole.MEMBER_ROLE_MEMBER]]);
    // Keyed by the leaving user: on the partition of their real deletion, ahead of it.
    await deadLetters.publishRaw('nexus.users.user', poisonedUserDeleted(leaving.user.id));
    await work.users.deactivate(leaving.user.id);

    const dead = await deadLetters.waitForKey(leaving.user.id);
    expect(header(dead, 'dlq_error')).toBe(
      'MalformedEventError: ce_subject not-a-user-id is not an id',
    );
    expect(header(dead, 'dlq_topic')).toBe('nexus.users.user');
    expect(header(dead, 'ce_subject')).toBe('not-a-user-id');
    const deadline = Date.now() + 30_000;
    let members: string[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const current = await work.projects.getProject({ id: project.id }, as(owner));
      members = current.members.map((member) => member.userId);
    } while (members.includes(leaving.user.id) && Date.now() < deadline);
    expect(members).toEqual([owner.user.id]);
  });
});
