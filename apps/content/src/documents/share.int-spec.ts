import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { contentV1 } from '@nexus/proto';
import {
  EventCollector,
  grpcError,
  startUsersProcess,
  type TestUser,
  type UsersProcess,
} from '@nexus/testing';
import { startContent, type ContentHarness } from '../testing/content-harness';

let users: UsersProcess;
let content: ContentHarness;
let events: EventCollector;

beforeAll(async () => {
  users = await startUsersProcess();
  content = await startContent({ USERS_GRPC_ADDRESS: users.address });
  events = await EventCollector.start(['nexus.content.document']);
});

afterAll(async () => {
  await events?.stop();
  await content?.stop();
  await users?.stop();
});

const as = (user: TestUser) => ({ token: user.token });
const docs = () => content.client.documents;
const {
  SHARE_ROLE_VIEWER: VIEWER,
  SHARE_ROLE_EDITOR: EDITOR,
  SHARE_ROLE_COMMENTER: COMMENTER,
} = contentV1.ShareRole;

async function createDoc(owner: TestUser): Promise<contentV1.Document> {
  return docs().createDocument(
    {
      document: contentV1.Document.fromPartial({
        title: 'Shared plan',
        kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
      }),
      requestId: '',
      versionNote: '',
    },
    as(owner),
  );
}

describe('ShareDocument', () => {
  it('grants a role to an active user, who then reads and lists the document', async () => {
    const owner = await users.signUp();
    const reader = await users.signUp();
    const document = await createDoc(owner);
    const share = await docs().shareDocument(
      { documentId: document.id, userId: reader.user.id, role: VIEWER },
      as(owner),
    );
    expect(share).toMatchObject({ userId: reader.user.id, role: VIEWER, grantedBy: owner.user.id });
    expect((await docs().getDocument({ id: document.id }, as(reader))).shares).toHaveLength(1);
    const shared = await docs().listDocuments(
      contentV1.ListDocumentsRequest.fromPartial({ sharedWithMe: true }),
      as(reader),
    );
    expect(shared.documents.map((d) => d.id)).toEqual([document.id]);
    const [, event] = await events.waitForSubject(document.id, 2);
    expect(event).toMatchObject({ type: 'nexus.content.document.updated' });
    expect(event?.data.changed).toEqual(['shares']);
  });

  it('refuses an unknown user with INVALID_ARGUMENT UNKNOWN_USER on user_id', async () => {
    const owner = await users.signUp();
    const document = await createDoc(owner);
    const error = await grpcError(
      docs().shareDocument({ documentId: document.id, userId: uuidv7(), role: VIEWER }, as(owner)),
    );
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['user_id'],
    });
    expect((await docs().listShares({ documentId: document.id }, as(owner))).shares).toEqual([]);
  });

  it('refuses a deactivated user as it does an unknown one, naming user_id', async () => {
    const owner = await users.signUp();
    const gone = await users.signUp();
    await users.deactivate(gone.user.id);
    const document = await createDoc(owner);
    const error = await grpcError(
      docs().shareDocument(
        { documentId: document.id, userId: gone.user.id, role: EDITOR },
        as(owner),
      ),
    );
    expect(error).toMatchObject({
      code: status.INVALID_ARGUMENT,
      reason: 'UNKNOWN_USER',
      fields: ['user_id'],
    });
  });

  it('refuses sharing with the owner, twice with the same user, and by non-owners', async () => {
    const owner = await users.signUp();
    const editor = await users.signUp();
    const other = await users.signUp();
    const document = await createDoc(owner);
    const self = await grpcError(
      docs().shareDocument(
        { documentId: document.id, userId: owner.user.id, role: VIEWER },
        as(owner),
      ),
    );
    expect(self).toMatchObject({ code: status.INVALID_ARGUMENT, fields: ['user_id'] });
    await docs().shareDocument(
      { documentId: document.id, userId: editor.user.id, role: EDITOR },
      as(owner),
    );
    const twice = await grpcError(
      docs().shareDocument(
        { documentId: document.id, userId: editor.user.id, role: VIEWER },
        as(owner),
      ),
    );
    expect(twice.code).toBe(status.ALREADY_EXISTS);
    const byEditor = await grpcError(
      docs().shareDocument(
        { documentId: document.id, userId: other.user.id, role: VIEWER },
        as(editor),
      ),
    );
    expect(byEditor.code).toBe(status.PERMISSION_DENIED);
    const badRole = await grpcError(
      docs().shareDocument({ documentId: document.id, userId: other.user.id, role: 0 }, as(owner)),
    );
    expect(badRole.fields).toEqual(['role']);
  });
});

describe('UpdateShare and RevokeShare', () => {
  it('changes a role and revokes access', async () => {
    const owner = await users.signUp();
    const member = await users.signUp();
    const document = await createDoc(owner);
    await docs().shareDocument(
      { documentId: document.id, userId: member.user.id, role: COMMENTER },
      as(owner),
    );
    const rename = (title: string) =>
      docs().updateDocument(
        {
          document: contentV1.Document.fromPartial({ id: document.id, title }),
          updateMask: ['title'],
          versionNote: '',
        },
        as(member),
      );
    expect((await grpcError(rename('by commenter'))).code).toBe(status.PERMISSION_DENIED);
    const updated = await docs().updateShare(
      { documentId: document.id, userId: member.user.id, role: EDITOR },
      as(owner),
    );
    expect(updated.role).toBe(EDITOR);
    expect((await rename('by editor')).title).toBe('by editor');

    await docs().revokeShare({ documentId: document.id, userId: member.user.id }, as(owner));
    expect((await grpcError(docs().getDocument({ id: document.id }, as(member)))).code).toBe(
      status.PERMISSION_DENIED,
    );
    const again = await grpcError(
      docs().revokeShare({ documentId: document.id, userId: member.user.id }, as(owner)),
    );
    expect(again.code).toBe(status.NOT_FOUND);
  });
});
