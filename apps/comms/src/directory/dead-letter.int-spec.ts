import { commsV1 } from '@nexus/proto';
import { DeadLetterReader, header, poisonedUserDeleted } from '@nexus/testing';
import { as, startComms, type CommsHarness } from '../testing/comms-harness';

let comms: CommsHarness;
let deadLetters: DeadLetterReader;

beforeAll(async () => {
  comms = await startComms();
  deadLetters = await DeadLetterReader.start('comms', 'nexus-comms');
}, 120_000);

afterAll(async () => {
  await deadLetters?.stop();
  await comms?.stop();
});

describe('the users consumer', () => {
  it('dead-letters a malformed user event to nexus.comms.dlq with its reason, then applies the next one', async () => {
    const [owner, leaving] = await Promise.all([comms.signUp(), comms.signUp()]);
    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: 'ops',
          kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
        }),
        memberIds: [leaving.user.id],
        requestId: '',
      },
      as(owner),
    );
    // Keyed by the leaving user: on the partition of their real deletion, ahead of it.
    await deadLetters.publishRaw('nexus.users.user', poisonedUserDeleted(leaving.user.id));
    await comms.users.deactivate(leaving.user.id);

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
      const current = await comms.chat.getRoom({ id: room.id }, as(owner));
      members = current.members.map((member) => member.userId);
    } while (members.includes(leaving.user.id) && Date.now() < deadline);
    expect(members).toEqual([owner.user.id]);
  });
});
