import { Client, Metadata, credentials } from '@grpc/grpc-js';
import {
  createAiUsageClients,
  createCommsClient,
  createContentClient,
  createWorkClients,
} from '@nexus/clients';
import { uuidv7 } from '@nexus/core';
import { aiUsageV1, commsV1, contentV1, workV1 } from '@nexus/proto';
import { TEST_PASSWORD, type TestUser } from '@nexus/testing';
import type { Platform } from './platform';

/** One resource of every kind, owned by `owner` (prices and budgets: set by the admin). */
export interface Fixtures {
  owner: TestUser;
  other: TestUser;
  documentId: string;
  /** A comment of the owner's on documentId (a thread). */
  documentCommentId: string;
  fileId: string;
  /** A folder of the owner's, and a link share of fileId with its token. */
  folderId: string;
  linkShareId: string;
  linkToken: string;
  roomId: string;
  messageId: string;
  draftId: string;
  sentEmailId: string;
  threadId: string;
  /** A mail folder of the owner's. */
  mailboxId: string;
  projectId: string;
  taskId: string;
  blockerTaskId: string;
  timeEntryId: string;
  taskCommentId: string;
  interactionId: string;
  modelPriceId: string;
  budgetId: string;
  /** A second session of the owner (not the one of its token), to refresh, sign out of and end. */
  ownerSession: { id: string; refreshToken: string };
}

export function uploadFile(address: string, token: string, name: string): Promise<contentV1.File> {
  const definition = contentV1.FileServiceService.uploadFile;
  const client = new Client(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    const call = client.makeClientStreamRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      metadata,
      (error, file) => {
        client.close();
        if (error) reject(error);
        else resolve(file!);
      },
    );
    call.write({
      payload: {
        $case: 'metadata',
        value: {
          name,
          mimeType: 'text/plain',
          isPublic: false,
          sha256: '',
          requestId: '',
          folderId: '',
        },
      },
    });
    call.write({ payload: { $case: 'chunk', value: Buffer.from(`hello ${name}`) } });
    call.end();
  });
}

/** Creates a fresh set of resources through the services' own APIs. */
export async function createFixtures(
  platform: Platform,
  owner: TestUser,
  other: TestUser,
): Promise<Fixtures> {
  const { apps, admin } = platform;
  const as = (user: TestUser) => ({ token: user.token });
  const tag = uuidv7().slice(-8);

  const content = createContentClient({ address: apps.content.grpcAddress });
  const comms = createCommsClient({ address: apps.comms.grpcAddress });
  const work = createWorkClients({ address: apps.work.grpcAddress });
  const ai = createAiUsageClients({ address: apps['ai-usage'].grpcAddress });
  try {
    const document = await content.documents.createDocument(
      {
        document: contentV1.Document.fromPartial({
          title: `Plan ${tag}`,
          kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
          content: { blocks: ['hello'] },
        }),
        requestId: '',
        versionNote: '',
      },
      as(owner),
    );
    const documentComment = await content.documents.createComment(
      {
        documentId: document.id,
        comment: contentV1.Comment.fromPartial({ text: 'Looks right' }),
        requestId: '',
      },
      as(owner),
    );
    const file = await uploadFile(apps.content.grpcAddress, owner.token, `f-${tag}.txt`);
    const folder = await content.files.createFolder(
      { folder: contentV1.Folder.fromPartial({ name: `folder-${tag}` }), requestId: '' },
      as(owner),
    );
    const link = await content.files.createLinkShare(
      contentV1.CreateLinkShareRequest.fromPartial({ fileId: file.id }),
      as(owner),
    );

    const room = await comms.chat.createRoom(
      {
        room: commsV1.ChatRoom.fromPartial({
          name: `room-${tag}`,
          kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
        }),
        memberIds: [],
        requestId: '',
      },
      as(owner),
    );
    const message = await comms.chat.postMessage(
      { roomId: room.id, text: 'hello', attachmentIds: [], replyToId: '', requestId: '' },
      as(owner),
    );
    const draft = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({
          subject: 'Draft',
          bodyText: 'text',
          to: [other.user.email],
        }),
        requestId: '',
      },
      as(owner),
    );
    const toSend = await comms.email.createDraft(
      {
        email: commsV1.Email.fromPartial({
          subject: 'Sent',
          bodyText: 'text',
          to: [other.user.email],
        }),
        requestId: '',
      },
      as(owner),
    );
    const sent = await comms.email.sendEmail({ id: toSend.id, etag: toSend.etag }, as(owner));
    const mailbox = await comms.email.createMailbox(
      { mailbox: commsV1.Mailbox.fromPartial({ name: `mail-${tag}` }), requestId: '' },
      as(owner),
    );

    const project = await work.projects.createProject(
      { project: workV1.Project.fromPartial({ name: `Apollo ${tag}` }), requestId: '' },
      as(owner),
    );
    const task = await work.tasks.createTask(
      { task: workV1.Task.fromPartial({ title: 'Do it', projectId: project.id }), requestId: '' },
      as(owner),
    );
    const blocker = await work.tasks.createTask(
      { task: workV1.Task.fromPartial({ title: 'First', projectId: project.id }), requestId: '' },
      as(owner),
    );
    const timeEntry = await work.tasks.logTime(
      {
        timeEntry: workV1.TimeEntry.fromPartial({
          taskId: task.id,
          hours: '1.5',
          workDate: new Date().toISOString().slice(0, 10),
        }),
        requestId: '',
      },
      as(owner),
    );
    const taskComment = await work.tasks.createTaskComment(
      {
        comment: workV1.TaskComment.fromPartial({ taskId: task.id, text: 'Looks good' }),
        requestId: '',
      },
      as(owner),
    );

    const interaction = await ai.usage.recordInteraction(
      { interaction: validInteraction(owner.user.id), requestId: '' },
      as(owner),
    );
    const modelPrice = await ai.prices.createModelPrice(
      {
        modelPrice: aiUsageV1.ModelPrice.fromPartial({
          provider: `p${tag}`,
          model: 'm',
          inputPricePerMillion: '1',
          outputPricePerMillion: '2',
          currencyCode: 'USD',
          effectiveTime: new Date('2025-01-01T00:00:00Z'),
        }),
        requestId: '',
      },
      as(admin),
    );
    const budget = await ai.budgets.createBudget(
      {
        budget: aiUsageV1.Budget.fromPartial({
          scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
          userId: owner.user.id,
          amount: { amount: '100', currencyCode: 'USD' },
        }),
        requestId: '',
      },
      as(admin),
    );
    const session = await platform.usersClient.authenticate({
      login: owner.user.email,
      password: TEST_PASSWORD,
      client: 'e2e fixtures',
    });
    return {
      ownerSession: { id: session.sessionId, refreshToken: session.refreshToken },
      owner,
      other,
      documentId: document.id,
      documentCommentId: documentComment.id,
      fileId: file.id,
      folderId: folder.id,
      linkShareId: link.linkShare!.id,
      linkToken: link.token,
      roomId: room.id,
      messageId: message.id,
      draftId: draft.id,
      sentEmailId: sent.id,
      threadId: sent.threadId,
      mailboxId: mailbox.id,
      projectId: project.id,
      taskId: task.id,
      blockerTaskId: blocker.id,
      timeEntryId: timeEntry.id,
      taskCommentId: taskComment.id,
      interactionId: interaction.id,
      modelPriceId: modelPrice.id,
      budgetId: budget.id,
    };
  } finally {
    content.close();
    comms.close();
    work.projects.close();
    work.tasks.close();
    ai.usage.close();
    ai.prices.close();
    ai.budgets.close();
  }
}

export function validInteraction(userId: string): aiUsageV1.AiInteraction {
  return aiUsageV1.AiInteraction.fromPartial({
    userId,
    module: aiUsageV1.Module.MODULE_CHAT,
    provider: 'openai',
    requestModel: 'gpt-4o',
    operation: aiUsageV1.Operation.OPERATION_CHAT,
    prompt: 'Summarise this thread',
    response: 'Here is the summary',
    inputTokens: 1000,
    outputTokens: 200,
    latencyMs: 800,
    status: aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
    startTime: new Date(),
  });
}
