import { contentV1 } from '@nexus/proto';
import {
  DeadLetterReader,
  header,
  poisonedUserDeleted,
  startUsersProcess,
  type UsersProcess,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

let users: UsersProcess;
let content: ContentHarness;
let deadLetters: DeadLetterReader;

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({ USERS_GRPC_ADDRESS: users.address });
  deadLetters = await DeadLetterReader.start('content', 'nexus-content');
}, 120_000);

afterAll(async () => {
  await deadLetters?.stop();
  await content?.stop();
  await users?.stop();
});

describe('the user-deleted cascade', () => {
  it('dead-letters a malformed user event to nexus.content.dlq with its reason, then applies the next one', async () => {
    const leaving = await users.signUp();
    const document = await content.client.documents.createDocument(
      {
        document: contentV1.Document.fromPartial({
          title: 'Doc',
          kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
        }),
        requestId: '',
        versionNote: '',
      },
      { token: leaving.token },
    );
    // Keyed by the leaving user: on the partition of their real deletion, ahead of it.
    await deadLetters.publishRaw('nexus.users.user', poisonedUserDeleted(leaving.user.id));
    await users.deactivate(leaving.user.id);

    const dead = await deadLetters.waitForKey(leaving.user.id);
    expect(header(dead, 'dlq_error')).toBe(
      'MalformedEventError: ce_subject not-a-user-id is not an id',
    );
    expect(header(dead, 'dlq_topic')).toBe('nexus.users.user');
    expect(header(dead, 'ce_subject')).toBe('not-a-user-id');
    const admin = { token: users.admin.token };
    const deadline = Date.now() + 30_000;
    let trashed: contentV1.Document;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      trashed = await content.client.documents.getDocument({ id: document.id }, admin);
    } while (trashed.deleteTime === undefined && Date.now() < deadline);
    expect(trashed.deleteTime).toBeDefined();
  });
});
