import { createHash, randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { applyOnce } from '@nexus/events';
import { contentV1 } from '@nexus/proto';
import {
  EventCollector,
  grpcError,
  startUsersProcess,
  type TestUser,
  type UsersProcess,
  as,
  until,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';
import { UserDeletedHandler } from './user-deleted.handler';

let users: UsersProcess;
let content: ContentHarness;
let events: EventCollector;

beforeAll(async () => {
  users = await startUsersProcess();
  // A short maintenance interval, so released blobs go within the test.
  content = await startContent({
    USERS_GRPC_ADDRESS: users.address,
    CONTENT_PURGE_INTERVAL_SECONDS: '1',
  });
  events = await EventCollector.start([
    'nexus.content.document',
    'nexus.content.file',
    'nexus.users.user',
  ]);
});

afterAll(async () => {
  await events?.stop();
  await content?.stop();
  await users?.stop();
});

const docs = () => content.client.documents;

describe('when a user is deleted', () => {
  it('trashes their documents, revokes shares granted to them and deletes their files, once', async () => {
    const leaving = await users.signUp();
    const colleague = await users.signUp();
    const create = (owner: TestUser) =>
      docs().createDocument(
        {
          document: contentV1.Document.fromPartial({
            title: 'Doc',
            kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
          }),
          requestId: '',
          versionNote: '',
        },
        as(owner),
      );
    const theirDoc = await create(leaving);
    const colleagueDoc = await create(colleague);
    await docs().shareDocument(
      {
        documentId: colleagueDoc.id,
        userId: leaving.user.id,
        role: contentV1.ShareRole.SHARE_ROLE_EDITOR,
      },
      as(colleague),
    );
    const bytes = randomBytes(5000);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const file = await content.transfer.upload(leaving.token, { name: 'cv.pdf' }, [bytes]);
    expect(await content.blobs.exists(hash)).toBe(true);

    await users.deactivate(leaving.user.id);

    await until(async () => (await content.blobs.exists(hash)) === false);
    const admin = users.admin;
    const trashed = await docs().getDocument({ id: theirDoc.id }, as(admin));
    expect(trashed.deleteTime).toBeDefined();
    expect(
      (await docs().listShares({ documentId: colleagueDoc.id }, as(colleague))).shares,
    ).toEqual([]);
    expect((await grpcError(content.client.files.getFile({ id: file.id }, as(admin)))).code).toBe(
      status.NOT_FOUND,
    );

    // A replay of the same event changes nothing more.
    const isDeleted = (event: { type: string }) => event.type === 'nexus.users.user.deleted';
    await events.waitFor(() => events.about(leaving.user.id).some(isDeleted));
    const deleted = events.about(leaving.user.id).find(isDeleted);
    if (!deleted) throw new Error('no user deleted event');
    const before = events.events.length;
    const parts = content.parts;
    const handler = new UserDeletedHandler(
      parts.documents,
      parts.shares,
      parts.fileParts,
      content.service.runtime.logger,
    );
    const applied = await applyOnce(
      {
        dataSource: content.service.runtime.dataSource,
        groupId: 'nexus-content-replay-test',
        handle: (event, tx) => handler.handle(event, tx),
      },
      deleted,
    );
    expect(applied).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const afterReplay = events.events
      .slice(before)
      .filter((event) => event.topic.startsWith('nexus.content.'));
    expect(afterReplay).toEqual([]);
    const trashedAgain = await docs().getDocument({ id: theirDoc.id }, as(admin));
    expect(trashedAgain.etag).toBe(trashed.etag);
  });
});
