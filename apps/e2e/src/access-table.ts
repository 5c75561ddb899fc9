import { uuidv7, type Role } from '@nexus/core';
import { aiUsageV1, commonV1, commsV1, contentV1, workV1 } from '@nexus/proto';
import { TEST_PASSWORD, type TestUser } from '@nexus/testing';
import { validInteraction, type Fixtures } from './fixtures';

/**
 * What a caller may do with an RPC:
 * - public: no token needed (a token that is presented must still be valid);
 * - read: any signed-in role, subject to the resource's own sharing rules;
 * - write: any signed-in role but a guest (guests are read-only everywhere);
 * - admin: admins only.
 */
export type Access = 'public' | 'read' | 'write' | 'admin';

/**
 * The expected outcome of a call:
 * - pass: the caller got past authentication and authorisation (a well-formed
 *   request may still be NOT_FOUND, FAILED_PRECONDITION...);
 * - denied: PERMISSION_DENIED, or NOT_FOUND where a service hides what the
 *   caller may not see; never OK;
 * - empty: OK, but every list in the answer is empty (filtered to what the
 *   caller may see);
 * - unauthenticated: UNAUTHENTICATED.
 */
export type Expect = 'pass' | 'denied' | 'empty' | 'unauthenticated';

export interface AccessRule {
  access: Access;
  /** A well-formed request for the caller, against fixtures owned by the "user" role. */
  request: (fx: Fixtures, caller: TestUser) => object;
  /** Where the role rule is narrower than the access level says. */
  roles?: Partial<Record<Role, Expect>>;
  /**
   * The call revokes the owner's tokens (a password change, a deactivation):
   * it acts on an owner of its own, so that the rows after it still call
   * with a valid token.
   */
  ownOwner?: true;
  /**
   * For an RPC that takes a `request_id`: a well-formed request asking for
   * something else, which a request id used for `request` must not replay.
   */
  another?: (fx: Fixtures, caller: TestUser) => object;
}

/**
 * The caller in the role column acts on resources owned by the "user"
 * column's caller: "user" is the owner, "manager" a stranger with a higher
 * platform role, "guest" a stranger who may never write.
 */
export function expected(rule: AccessRule, role: Role): Expect {
  const override = rule.roles?.[role];
  if (override) return override;
  switch (rule.access) {
    case 'public':
    case 'read':
      return 'pass';
    case 'write':
      return role === 'guest' ? 'denied' : 'pass';
    case 'admin':
      return role === 'admin' ? 'pass' : 'denied';
  }
}

const today = () => new Date().toISOString().slice(0, 10);
const NO_ROLE = commonV1.Role.ROLE_UNSPECIFIED;

/** A model price for a model of its own (random), so each call asks for something new. */
const newModelPrice = () => ({
  modelPrice: {
    provider: 'anthropic',
    model: `m-${Math.random().toString(36).slice(2, 8)}`,
    inputPricePerMillion: '3',
    outputPricePerMillion: '15',
    currencyCode: 'USD',
    effectiveTime: new Date('2025-01-01T00:00:00Z'),
  },
});

/** A monthly budget of 5 EUR for one user. */
const userBudget = (userId: string) => ({
  budget: {
    scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
    userId,
    amount: { amount: '5', currencyCode: 'EUR' },
  },
});

/** A sign-up with a login of its own (random), so each call asks for something new. */
const newUser = () => {
  const tag = Math.random().toString(36).slice(2, 10);
  return {
    user: {
      email: `m-${tag}@example.com`,
      username: `m-${tag}`,
      fullName: 'Matrix',
      role: NO_ROLE,
    },
    password: TEST_PASSWORD,
  };
};

/** THE table: every unary RPC and every Watch of every gRPC service (the test fails on one left out). */
export const ACCESS: Record<string, AccessRule> = {
  // --- content: documents (owner, admin manage; strangers see nothing) ---
  '/nexus.content.v1.DocumentService/CreateDocument': {
    access: 'write',
    request: () => ({
      document: { title: 'New', kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT },
    }),
    another: () => ({
      document: { title: 'Other', kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT },
    }),
  },
  '/nexus.content.v1.DocumentService/GetDocument': {
    access: 'read',
    request: (fx) => ({ id: fx.documentId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.DocumentService/ListDocuments': {
    access: 'read',
    request: () => ({ pageSize: 5 }),
  },
  '/nexus.content.v1.DocumentService/SearchDocuments': {
    access: 'read',
    request: () => ({ query: 'hello', pageSize: 5 }),
    // The fixture document's body says hello; strangers search only what they could get.
    roles: { manager: 'empty', guest: 'empty' },
  },
  '/nexus.content.v1.DocumentService/ListDocumentVersions': {
    access: 'read',
    request: (fx) => ({ documentId: fx.documentId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.DocumentService/GetDocumentVersion': {
    access: 'read',
    request: (fx) => ({ documentId: fx.documentId, number: 1 }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.DocumentService/ListShares': {
    access: 'read',
    request: (fx) => ({ documentId: fx.documentId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  // A Watch is judged by its first item (caught_up) or the status it ends with.
  '/nexus.content.v1.DocumentService/WatchDocument': {
    access: 'read',
    request: (fx) => ({ documentId: fx.documentId, cursor: '' }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.DocumentService/UpdateDocument': {
    access: 'write',
    request: (fx) => ({ document: { id: fx.documentId, title: 'Renamed' }, updateMask: ['title'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/ShareDocument': {
    access: 'write',
    request: (fx) => ({
      documentId: fx.documentId,
      userId: fx.other.user.id,
      role: contentV1.ShareRole.SHARE_ROLE_VIEWER,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/UpdateShare': {
    access: 'write',
    request: (fx) => ({
      documentId: fx.documentId,
      userId: fx.other.user.id,
      role: contentV1.ShareRole.SHARE_ROLE_EDITOR,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/RevokeShare': {
    access: 'write',
    request: (fx) => ({ documentId: fx.documentId, userId: fx.other.user.id }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/RestoreDocumentVersion': {
    access: 'write',
    request: (fx) => ({ documentId: fx.documentId, number: 1 }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/DeleteDocument': {
    access: 'write',
    request: (fx) => ({ id: fx.documentId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/UndeleteDocument': {
    access: 'write',
    request: (fx) => ({ id: fx.documentId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/PurgeDocument': {
    access: 'write',
    request: (fx) => ({ id: fx.documentId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/UpdateDocumentVersion': {
    access: 'write',
    request: (fx) => ({
      version: { documentId: fx.documentId, number: 1, keepForever: true },
      updateMask: ['keep_forever'],
    }),
    roles: { manager: 'denied' },
  },
  // --- content: document comments (readers read; commenters and above write; authors edit) ---
  '/nexus.content.v1.DocumentService/CreateComment': {
    access: 'write',
    request: (fx) => ({ documentId: fx.documentId, comment: { text: 'Matrix' } }),
    another: (fx) => ({ documentId: fx.documentId, comment: { text: 'Another' } }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/GetComment': {
    access: 'read',
    request: (fx) => ({ id: fx.documentCommentId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.DocumentService/ListComments': {
    access: 'read',
    request: (fx) => ({ documentId: fx.documentId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.DocumentService/UpdateComment': {
    access: 'write',
    request: (fx) => ({
      comment: { id: fx.documentCommentId, text: 'Edited' },
      updateMask: ['text'],
    }),
    // Only its author edits a comment, admins included.
    roles: { manager: 'denied', admin: 'denied' },
  },
  '/nexus.content.v1.DocumentService/ResolveComment': {
    access: 'write',
    request: (fx) => ({ id: fx.documentCommentId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/ReopenComment': {
    access: 'write',
    request: (fx) => ({ id: fx.documentCommentId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.DocumentService/DeleteComment': {
    access: 'write',
    request: (fx) => ({ id: fx.documentCommentId }),
    roles: { manager: 'denied' },
  },
  // --- content: files (private files: owner and admin only) ---
  '/nexus.content.v1.FileService/GetFile': {
    access: 'read',
    request: (fx) => ({ id: fx.fileId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.FileService/BatchGetFiles': {
    access: 'read',
    request: (fx) => ({ ids: [fx.fileId] }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.FileService/ListFiles': { access: 'read', request: () => ({ pageSize: 5 }) },
  '/nexus.content.v1.FileService/SearchFiles': {
    access: 'read',
    request: () => ({ query: 'hello', pageSize: 5 }),
    // The fixture file is private and says hello: strangers find nothing.
    roles: { manager: 'empty', guest: 'empty' },
  },
  '/nexus.content.v1.FileService/UpdateFile': {
    access: 'write',
    request: (fx) => ({ file: { id: fx.fileId, name: 'renamed.txt' }, updateMask: ['name'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/DeleteFile': {
    access: 'write',
    request: (fx) => ({ id: fx.fileId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/UndeleteFile': {
    access: 'write',
    request: (fx) => ({ id: fx.fileId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/PurgeFile': {
    access: 'write',
    request: (fx) => ({ id: fx.fileId }),
    roles: { manager: 'denied' },
  },
  // Shares of files and folders: the owner and admins grant; readers list.
  '/nexus.content.v1.FileService/ShareFile': {
    access: 'write',
    request: (fx) => ({
      fileId: fx.fileId,
      userId: fx.other.user.id,
      role: contentV1.ShareRole.SHARE_ROLE_VIEWER,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/UpdateFileShare': {
    access: 'write',
    request: (fx) => ({
      fileId: fx.fileId,
      userId: fx.other.user.id,
      role: contentV1.ShareRole.SHARE_ROLE_EDITOR,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/RevokeFileShare': {
    access: 'write',
    request: (fx) => ({ fileId: fx.fileId, userId: fx.other.user.id }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/ListFileShares': {
    access: 'read',
    request: (fx) => ({ fileId: fx.fileId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  // Link shares: made, listed and revoked by the owner, admins and editors;
  // read by anyone holding the token, without signing in.
  '/nexus.content.v1.FileService/CreateLinkShare': {
    access: 'write',
    request: (fx) => ({ fileId: fx.fileId, downloadLimit: '0' }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/ListLinkShares': {
    access: 'write',
    request: (fx) => ({ fileId: fx.fileId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/RevokeLinkShare': {
    access: 'write',
    request: (fx) => ({ id: fx.linkShareId }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/GetSharedFile': {
    access: 'public',
    request: (fx) => ({ token: fx.linkToken, password: '' }),
  },
  // Folders: the owner's tree; strangers are told a folder does not exist.
  '/nexus.content.v1.FileService/CreateFolder': {
    access: 'write',
    request: () => ({ folder: { name: 'New folder' } }),
    another: () => ({ folder: { name: 'Other folder' } }),
  },
  '/nexus.content.v1.FileService/GetFolder': {
    access: 'read',
    request: (fx) => ({ id: fx.folderId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.content.v1.FileService/ListFolders': {
    access: 'read',
    request: () => ({ pageSize: 5 }),
  },
  '/nexus.content.v1.FileService/UpdateFolder': {
    access: 'write',
    request: (fx) => ({ folder: { id: fx.folderId, name: 'Renamed' }, updateMask: ['name'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/MoveFolder': {
    access: 'write',
    request: (fx) => ({ id: fx.folderId, parentId: '' }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/ShareFolder': {
    access: 'write',
    request: (fx) => ({
      folderId: fx.folderId,
      userId: fx.other.user.id,
      role: contentV1.ShareRole.SHARE_ROLE_VIEWER,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/UpdateFolderShare': {
    access: 'write',
    request: (fx) => ({
      folderId: fx.folderId,
      userId: fx.other.user.id,
      role: contentV1.ShareRole.SHARE_ROLE_EDITOR,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/RevokeFolderShare': {
    access: 'write',
    request: (fx) => ({ folderId: fx.folderId, userId: fx.other.user.id }),
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.FileService/ListFolderShares': {
    access: 'read',
    request: (fx) => ({ folderId: fx.folderId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  // Last of the folder rows: the owner's call may delete the fixture folder.
  '/nexus.content.v1.FileService/DeleteFolder': {
    access: 'write',
    request: (fx) => ({ id: fx.folderId }),
    roles: { manager: 'denied' },
  },

  // --- content: access through messages (grant what you can read; revoke only your own) ---
  '/nexus.content.v1.AttachmentAccessService/GrantFileAccess': {
    access: 'write',
    request: (fx) => ({
      fileIds: [fx.fileId],
      // A user of its own: the matrix's other rows never see this grant.
      userIds: [uuidv7()],
      via: { service: 'comms', resourceType: 'email', resourceId: uuidv7() },
    }),
    // A stranger cannot pass on a file they cannot read (NOT_FOUND).
    roles: { manager: 'denied' },
  },
  '/nexus.content.v1.AttachmentAccessService/RevokeFileAccess': {
    // Anyone may call: it removes only what the caller granted or holds.
    access: 'read',
    request: () => ({
      via: { service: 'comms', resourceType: 'email', resourceId: uuidv7() },
      userIds: [],
    }),
  },
  // --- comms: chat (channels are public to read; owners and admins manage) ---
  '/nexus.comms.v1.ChatService/CreateRoom': {
    access: 'write',
    request: () => ({ room: { name: 'new-room', kind: commsV1.RoomKind.ROOM_KIND_CHANNEL } }),
    another: () => ({ room: { name: 'other-room', kind: commsV1.RoomKind.ROOM_KIND_CHANNEL } }),
  },
  '/nexus.comms.v1.ChatService/GetRoom': { access: 'read', request: (fx) => ({ id: fx.roomId }) },
  '/nexus.comms.v1.ChatService/ListRooms': { access: 'read', request: () => ({ pageSize: 5 }) },
  '/nexus.comms.v1.ChatService/ListMessages': {
    access: 'read',
    request: (fx) => ({ roomId: fx.roomId, pageSize: 5 }),
  },
  '/nexus.comms.v1.ChatService/SearchMessages': {
    access: 'read',
    request: (fx) => ({ query: 'hello', roomId: fx.roomId, pageSize: 5 }),
  },
  '/nexus.comms.v1.ChatService/GetEditHistory': {
    access: 'read',
    request: (fx) => ({ id: fx.messageId }),
  },
  '/nexus.comms.v1.ChatService/JoinRoom': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId }),
  },
  '/nexus.comms.v1.ChatService/MarkRoomRead': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId }),
  },
  // A Watch is judged by its first item (caught_up) or the status it ends with.
  '/nexus.comms.v1.ChatService/WatchRoom': {
    access: 'read',
    request: (fx) => ({ roomId: fx.roomId, cursor: '' }),
  },
  '/nexus.comms.v1.ChatService/WatchMyRooms': { access: 'read', request: () => ({ cursor: '' }) },
  // Like posting: members of the room who may write.
  '/nexus.comms.v1.ChatService/SendTyping': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId }),
  },
  '/nexus.comms.v1.ChatService/PostMessage': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId, text: 'hi' }),
    another: (fx) => ({ roomId: fx.roomId, text: 'something else' }),
  },
  '/nexus.comms.v1.ChatService/EditMessage': {
    access: 'write',
    request: (fx) => ({ id: fx.messageId, text: 'edited' }),
    // Only the author edits; not even an admin puts words in someone's mouth.
    roles: { admin: 'denied', manager: 'denied' },
  },
  // Reactions and pins: any member (the manager and admin joined the fixture channel above).
  '/nexus.comms.v1.ChatService/AddReaction': {
    access: 'write',
    request: (fx) => ({ messageId: fx.messageId, emoji: '👍' }),
  },
  '/nexus.comms.v1.ChatService/RemoveReaction': {
    access: 'write',
    request: (fx) => ({ messageId: fx.messageId, emoji: '👍' }),
  },
  '/nexus.comms.v1.ChatService/PinMessage': {
    access: 'write',
    request: (fx) => ({ id: fx.messageId }),
  },
  '/nexus.comms.v1.ChatService/UnpinMessage': {
    access: 'write',
    request: (fx) => ({ id: fx.messageId }),
  },
  '/nexus.comms.v1.ChatService/ListPinnedMessages': {
    access: 'read',
    request: (fx) => ({ roomId: fx.roomId, pageSize: 5 }),
  },
  '/nexus.comms.v1.ChatService/InviteMembers': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId, userIds: [fx.other.user.id] }),
  },
  '/nexus.comms.v1.ChatService/UpdateRoom': {
    access: 'write',
    request: (fx) => ({ room: { id: fx.roomId, topic: 'new topic' }, updateMask: ['topic'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.ChatService/RemoveMember': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId, userId: fx.other.user.id }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.ChatService/DeleteMessage': {
    access: 'write',
    request: (fx) => ({ id: fx.messageId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.ChatService/DeleteRoom': {
    access: 'write',
    request: (fx) => ({ id: fx.roomId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.ChatService/UndeleteRoom': {
    access: 'write',
    request: (fx) => ({ id: fx.roomId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.ChatService/LeaveRoom': {
    access: 'write',
    request: (fx) => ({ roomId: fx.roomId }),
  },
  // --- comms: email (a mailbox is its owner's alone) ---
  '/nexus.comms.v1.EmailService/ListMailboxes': { access: 'read', request: () => ({}) },
  '/nexus.comms.v1.EmailService/ListEmails': { access: 'read', request: () => ({ pageSize: 5 }) },
  '/nexus.comms.v1.EmailService/SearchEmails': {
    access: 'read',
    // The fixture owner's sent copy ("Sent"); anyone else searches only their own mail.
    request: () => ({ query: 'sent', pageSize: 5 }),
    roles: { manager: 'empty', guest: 'empty' },
  },
  '/nexus.comms.v1.EmailService/GetEmail': {
    access: 'read',
    request: (fx) => ({ id: fx.sentEmailId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.comms.v1.EmailService/GetThread': {
    access: 'read',
    request: (fx) => ({ threadId: fx.threadId }),
  },
  '/nexus.comms.v1.EmailService/CreateDraft': {
    access: 'write',
    request: (fx) => ({ email: { subject: 'x', bodyText: 'y', to: [fx.other.user.email] } }),
    another: (fx) => ({ email: { subject: 'other', bodyText: 'y', to: [fx.other.user.email] } }),
  },
  '/nexus.comms.v1.EmailService/UpdateDraft': {
    access: 'write',
    request: (fx) => ({ email: { id: fx.draftId, subject: 'changed' }, updateMask: ['subject'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/MarkRead': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/MarkUnread': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/Reply': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId, bodyText: 'reply' }),
    roles: { manager: 'denied' },
    another: (fx) => ({ id: fx.sentEmailId, bodyText: 'another reply' }),
  },
  '/nexus.comms.v1.EmailService/ReplyAll': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId, bodyText: 'reply all' }),
    roles: { manager: 'denied' },
    another: (fx) => ({ id: fx.sentEmailId, bodyText: 'another reply' }),
  },
  '/nexus.comms.v1.EmailService/Forward': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId, to: [fx.other.user.email], bodyText: 'fwd' }),
    roles: { manager: 'denied' },
    another: (fx) => ({ id: fx.sentEmailId, to: [fx.other.user.email], bodyText: 'again' }),
  },
  '/nexus.comms.v1.EmailService/SendEmail': {
    access: 'write',
    request: (fx) => ({ id: fx.draftId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/GetMailbox': {
    access: 'read',
    request: (fx) => ({ id: fx.mailboxId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.comms.v1.EmailService/CreateMailbox': {
    access: 'write',
    request: () => ({ mailbox: { name: 'Receipts' } }),
    another: () => ({ mailbox: { name: 'Invoices' } }),
  },
  '/nexus.comms.v1.EmailService/UpdateMailbox': {
    access: 'write',
    request: (fx) => ({ mailbox: { id: fx.mailboxId, sortOrder: 3 }, updateMask: ['sort_order'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/AddToMailbox': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId, mailboxId: fx.mailboxId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/RemoveFromMailbox': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId, mailboxId: fx.mailboxId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/UpdateEmail': {
    access: 'write',
    request: (fx) => ({
      email: { id: fx.sentEmailId, keywords: ['$flagged'] },
      updateMask: ['keywords'],
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/SetEmailKeywords': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId, add: ['todo'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/MoveToTrash': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/Restore': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId }),
    roles: { manager: 'denied' },
  },
  '/nexus.comms.v1.EmailService/DeleteForever': {
    access: 'write',
    request: (fx) => ({ id: fx.sentEmailId }),
    roles: { manager: 'denied' },
  },
  // A Watch is judged by its first item (caught_up) or the status it ends with.
  '/nexus.comms.v1.EmailService/WatchMailbox': {
    access: 'read',
    request: (fx) => ({ cursor: '', mailboxId: fx.mailboxId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.comms.v1.EmailService/GetEmailChanges': {
    access: 'read',
    // The current state: every caller has one (of their own mail only).
    request: () => ({ sinceState: '', maxChanges: 10 }),
  },
  '/nexus.comms.v1.EmailService/DeleteMailbox': {
    access: 'write',
    request: (fx) => ({ id: fx.mailboxId, removeEmails: true }),
    roles: { manager: 'denied' },
  },

  // --- work: projects and tasks (members by project role; admins everything) ---
  '/nexus.work.v1.ProjectService/CreateProject': {
    access: 'write',
    request: () => ({ project: { name: 'Gemini' } }),
    another: () => ({ project: { name: 'Mercury' } }),
  },
  '/nexus.work.v1.ProjectService/GetProject': {
    access: 'read',
    request: (fx) => ({ id: fx.projectId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.work.v1.ProjectService/ListProjects': {
    access: 'read',
    request: () => ({ pageSize: 5 }),
  },
  '/nexus.work.v1.ProjectService/GetProjectStats': {
    access: 'read',
    request: (fx) => ({ projectId: fx.projectId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  // A Watch is judged by its first item (caught_up) or the status it ends with.
  '/nexus.work.v1.ProjectService/WatchProject': {
    access: 'read',
    request: (fx) => ({ projectId: fx.projectId, cursor: '' }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.work.v1.ProjectService/UpdateProject': {
    access: 'write',
    request: (fx) => ({
      project: { id: fx.projectId, description: 'd' },
      updateMask: ['description'],
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.ProjectService/AddMember': {
    access: 'write',
    request: (fx) => ({
      projectId: fx.projectId,
      userId: fx.other.user.id,
      role: workV1.MemberRole.MEMBER_ROLE_MEMBER,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.ProjectService/UpdateMember': {
    access: 'write',
    request: (fx) => ({
      projectId: fx.projectId,
      userId: fx.other.user.id,
      role: workV1.MemberRole.MEMBER_ROLE_VIEWER,
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.TaskService/CreateTask': {
    access: 'write',
    request: (fx) => ({ task: { title: 'More', projectId: fx.projectId } }),
    roles: { manager: 'denied' },
    another: (fx) => ({ task: { title: 'Less', projectId: fx.projectId } }),
  },
  '/nexus.work.v1.TaskService/GetTask': {
    access: 'read',
    request: (fx) => ({ id: fx.taskId }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.work.v1.TaskService/ListTasks': {
    access: 'read',
    request: (fx) => ({ projectId: fx.projectId, pageSize: 5 }),
    // Filtered to the caller's projects: a stranger gets an empty page.
    roles: { manager: 'empty', guest: 'empty' },
  },
  '/nexus.work.v1.TaskService/SearchTasks': {
    access: 'read',
    request: (fx) => ({ query: 'do it', projectId: fx.projectId, pageSize: 5 }),
    // Only tasks of the caller's projects are searched: a stranger finds nothing.
    roles: { manager: 'empty', guest: 'empty' },
  },
  '/nexus.work.v1.TaskService/ListTimeEntries': {
    access: 'read',
    request: (fx) => ({ taskId: fx.taskId, pageSize: 5 }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.work.v1.TaskService/UpdateTask': {
    access: 'write',
    request: (fx) => ({ task: { id: fx.taskId, description: 'd' }, updateMask: ['description'] }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.TaskService/AddDependency': {
    access: 'write',
    request: (fx) => ({ taskId: fx.taskId, blockerTaskId: fx.blockerTaskId }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.TaskService/RemoveDependency': {
    access: 'write',
    request: (fx) => ({ taskId: fx.taskId, blockerTaskId: fx.blockerTaskId }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.TaskService/LogTime': {
    access: 'write',
    request: (fx) => ({ timeEntry: { taskId: fx.taskId, hours: '1', workDate: today() } }),
    roles: { manager: 'denied' },
    another: (fx) => ({ timeEntry: { taskId: fx.taskId, hours: '2', workDate: today() } }),
  },
  '/nexus.work.v1.TaskService/DeleteTimeEntry': {
    access: 'write',
    request: (fx) => ({ id: fx.timeEntryId }),
    roles: { manager: 'denied' },
  },
  // Comments and history: readers of the task read them, contributors write;
  // a stranger is told the task (or comment) does not exist.
  '/nexus.work.v1.TaskService/CreateTaskComment': {
    access: 'write',
    request: (fx) => ({ comment: { taskId: fx.taskId, text: 'Agreed' } }),
    roles: { manager: 'denied' },
    another: (fx) => ({ comment: { taskId: fx.taskId, text: 'Disagreed' } }),
  },
  '/nexus.work.v1.TaskService/ListTaskComments': {
    access: 'read',
    request: (fx) => ({ taskId: fx.taskId, pageSize: 5 }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.work.v1.TaskService/ListTaskActivity': {
    access: 'read',
    request: (fx) => ({ taskId: fx.taskId, pageSize: 5 }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.work.v1.TaskService/UpdateTaskComment': {
    access: 'write',
    request: (fx) => ({ comment: { id: fx.taskCommentId, text: 'Edited' }, updateMask: ['text'] }),
    // Only its author edits a comment: an admin may delete it, not put words in its author's mouth.
    roles: { manager: 'denied', admin: 'denied' },
  },
  '/nexus.work.v1.TaskService/DeleteTaskComment': {
    access: 'write',
    request: (fx) => ({ id: fx.taskCommentId }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.TaskService/DeleteTask': {
    access: 'write',
    request: (fx) => ({ id: fx.taskId }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.ProjectService/RemoveMember': {
    access: 'write',
    request: (fx) => ({ projectId: fx.projectId, userId: fx.other.user.id }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.ProjectService/DeleteProject': {
    access: 'write',
    request: (fx) => ({ id: fx.projectId }),
    roles: { manager: 'denied' },
  },
  '/nexus.work.v1.ProjectService/UndeleteProject': {
    access: 'write',
    request: (fx) => ({ id: fx.projectId }),
    roles: { manager: 'denied' },
  },

  // --- ai-usage: own usage for users, everyone's for managers; prices and budgets admin ---
  '/nexus.aiusage.v1.AiUsageService/RecordInteraction': {
    access: 'write',
    request: (_fx, caller) => ({ interaction: validInteraction(caller.user.id) }),
    another: (_fx, caller) => ({
      interaction: { ...validInteraction(caller.user.id), latencyMs: 801 },
    }),
  },
  '/nexus.aiusage.v1.AiUsageService/BatchRecordInteractions': {
    access: 'write',
    request: (_fx, caller) => ({ requests: [{ interaction: validInteraction(caller.user.id) }] }),
    another: (_fx, caller) => ({
      requests: [{ interaction: { ...validInteraction(caller.user.id), latencyMs: 9 } }],
    }),
  },
  '/nexus.aiusage.v1.AiUsageService/GetInteraction': {
    access: 'read',
    request: (fx) => ({ id: fx.interactionId }),
    roles: { guest: 'denied' },
  },
  '/nexus.aiusage.v1.AiUsageService/ListInteractions': {
    access: 'read',
    request: () => ({ pageSize: 5 }),
  },
  '/nexus.aiusage.v1.AiUsageService/GetUsageSummary': {
    access: 'read',
    request: () => ({
      startTime: new Date(Date.now() - 86_400_000),
      endTime: new Date(Date.now() + 86_400_000),
      groupBy: [aiUsageV1.UsageDimension.USAGE_DIMENSION_MODEL],
    }),
  },
  '/nexus.aiusage.v1.AiUsageService/ExportUserUsage': {
    access: 'admin',
    request: (fx) => ({ userId: fx.owner.user.id, pageSize: 5 }),
  },
  // A user of no fixture: the erasure must leave the fixtures the other rows use.
  '/nexus.aiusage.v1.AiUsageService/EraseUserUsage': {
    access: 'admin',
    request: () => ({ userId: uuidv7() }),
  },
  '/nexus.aiusage.v1.ModelPriceService/GetModelPrice': {
    access: 'read',
    request: (fx) => ({ id: fx.modelPriceId }),
  },
  '/nexus.aiusage.v1.ModelPriceService/ListModelPrices': {
    access: 'read',
    request: () => ({ pageSize: 5 }),
  },
  '/nexus.aiusage.v1.ModelPriceService/CreateModelPrice': {
    access: 'admin',
    request: newModelPrice,
    another: newModelPrice,
  },
  '/nexus.aiusage.v1.ModelPriceService/UpdateModelPrice': {
    access: 'admin',
    request: (fx) => ({
      modelPrice: { id: fx.modelPriceId, outputPricePerMillion: '3' },
      updateMask: ['output_price_per_million'],
    }),
  },
  '/nexus.aiusage.v1.ModelPriceService/DeleteModelPrice': {
    access: 'admin',
    request: (fx) => ({ id: fx.modelPriceId }),
  },
  '/nexus.aiusage.v1.ModelPriceService/UndeleteModelPrice': {
    access: 'admin',
    request: (fx) => ({ id: fx.modelPriceId }),
  },
  '/nexus.aiusage.v1.BudgetService/GetBudget': {
    access: 'read',
    request: (fx) => ({ id: fx.budgetId }),
    roles: { guest: 'denied' },
  },
  '/nexus.aiusage.v1.BudgetService/ListBudgets': {
    access: 'read',
    request: () => ({ pageSize: 5 }),
  },
  '/nexus.aiusage.v1.BudgetService/CreateBudget': {
    access: 'admin',
    // A user's budget: the fixtures' users are new, so no budget of theirs exists yet.
    request: (fx) => userBudget(fx.owner.user.id),
    another: (fx) => userBudget(fx.other.user.id),
  },
  '/nexus.aiusage.v1.BudgetService/UpdateBudget': {
    access: 'admin',
    request: (fx) => ({
      budget: { id: fx.budgetId, amount: { amount: '200', currencyCode: 'USD' } },
      updateMask: ['amount'],
    }),
  },
  '/nexus.aiusage.v1.BudgetService/DeleteBudget': {
    access: 'admin',
    request: (fx) => ({ id: fx.budgetId }),
  },

  // --- users (last: they deactivate the owner) ---
  '/nexus.users.v1.UserService/GetJwks': { access: 'public', request: () => ({}) },
  '/nexus.users.v1.UserService/Authenticate': {
    access: 'public',
    request: (fx) => ({ login: fx.owner.user.email, password: TEST_PASSWORD }),
  },
  '/nexus.users.v1.UserService/VerifyEmail': {
    access: 'public',
    request: () => ({ token: 'not-a-real-verification-token' }),
  },
  // Public sign-up; with a token only admins create users.
  '/nexus.users.v1.UserService/CreateUser': {
    access: 'public',
    request: newUser,
    roles: { manager: 'denied', user: 'denied', guest: 'denied' },
    another: newUser,
  },
  '/nexus.users.v1.UserService/GetUser': {
    access: 'read',
    request: (fx) => ({ id: fx.owner.user.id }),
  },
  '/nexus.users.v1.UserService/BatchGetUsers': {
    access: 'read',
    request: (fx) => ({ ids: [fx.owner.user.id] }),
  },
  '/nexus.users.v1.UserService/ListUsers': { access: 'read', request: () => ({ pageSize: 5 }) },
  '/nexus.users.v1.UserService/UpdateUser': {
    access: 'write',
    request: (fx) => ({
      user: { id: fx.owner.user.id, fullName: 'Renamed' },
      updateMask: ['full_name'],
    }),
    roles: { manager: 'denied' },
  },
  '/nexus.users.v1.UserService/RequestEmailVerification': {
    access: 'write',
    request: (fx) => ({ id: fx.owner.user.id }),
    roles: { manager: 'denied' },
  },
  // Sessions: fx.ownerSession is a second session of the owner, not the one of its token.
  // The refresh token is the credential; a refresh rotates it (SignOut then
  // presents the exchanged one, which still names the session).
  '/nexus.users.v1.UserService/RefreshSession': {
    access: 'public',
    request: (fx) => ({ refreshToken: fx.ownerSession.refreshToken }),
  },
  // Public with a refresh token (the access token may have expired); an unknown one is OK too.
  '/nexus.users.v1.UserService/SignOut': {
    access: 'public',
    request: (fx) => ({ refreshToken: fx.ownerSession.refreshToken }),
  },
  // The user's own sessions, or anyone's for an admin; guests too for their own.
  '/nexus.users.v1.UserService/ListSessions': {
    access: 'read',
    request: (fx) => ({ userId: fx.owner.user.id, pageSize: 5 }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  '/nexus.users.v1.UserService/EndSession': {
    access: 'read',
    request: (fx) => ({ id: fx.ownerSession.id }),
    roles: { manager: 'denied', guest: 'denied' },
  },
  // The user themselves or an admin.
  '/nexus.users.v1.UserService/SignOutEverywhere': {
    access: 'read',
    request: (fx) => ({ userId: fx.owner.user.id }),
    roles: { manager: 'denied', guest: 'denied' },
    ownOwner: true,
  },
  '/nexus.users.v1.UserService/ChangePassword': {
    access: 'write',
    request: (fx) => ({
      id: fx.owner.user.id,
      oldPassword: TEST_PASSWORD,
      newPassword: `${TEST_PASSWORD} 2`,
    }),
    // Only the account itself (it knows the old password); admins reset by other means.
    roles: { admin: 'denied', manager: 'denied' },
    ownOwner: true,
  },
  '/nexus.users.v1.UserService/DeleteUser': {
    access: 'write',
    request: (fx) => ({ id: fx.owner.user.id }),
    roles: { manager: 'denied' },
    ownOwner: true,
  },
  '/nexus.users.v1.UserService/UndeleteUser': {
    access: 'admin',
    request: (fx) => ({ id: fx.owner.user.id }),
  },
  // Always OK, whoever asks and whether or not the login exists.
  '/nexus.users.v1.UserService/RequestPasswordReset': {
    access: 'public',
    request: (fx) => ({ login: fx.owner.user.email }),
  },
  // The reset token is the credential (an unknown one is INVALID_ARGUMENT, past authorisation).
  '/nexus.users.v1.UserService/ResetPassword': {
    access: 'public',
    request: () => ({ token: 'not-a-real-reset-token', newPassword: `${TEST_PASSWORD} 3` }),
  },
  '/nexus.users.v1.UserService/UnlockUser': {
    access: 'admin',
    request: (fx) => ({ id: fx.owner.user.id }),
  },
};
