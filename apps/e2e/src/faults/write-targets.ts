import {
  createAiUsageClients,
  createCommsClient,
  createContentClient,
  createUsersClient,
  createWorkClients,
  type ClientOptions,
} from '@nexus/clients';
import { commsV1, contentV1, usersV1, workV1 } from '@nexus/proto';
import type { TestUser } from '@nexus/testing';
import { validInteraction } from '../fixtures';
import type { ServiceName } from '../platform';

/** A write the service answered OK: the one event it must cause. */
export interface AckedWrite {
  service: ServiceName;
  topic: string;
  /** The aggregate id (the event's ce_subject and Kafka key). */
  subject: string;
  /** The expected ce_type. */
  type: string;
  /** Unique per write, written into the field MARKER_FIELD names, so its event can be told apart. */
  marker: string;
}

/** One writer's calls against one service, on aggregates of its own. */
export interface Writer {
  service: ServiceName;
  write(marker: string): Promise<AckedWrite>;
  close(): void;
}

/** The field of each audited aggregate that carries the marker of the write that changed it. */
export const MARKER_FIELD: Record<string, string> = {
  'nexus.users.user': 'fullName',
  'nexus.content.document': 'title',
  'nexus.comms.chat-message': 'text',
  'nexus.work.task': 'title',
  'nexus.ai-usage.interaction': 'traceId',
};

/** Every third write creates a new aggregate, the others update the latest: order per aggregate matters. */
const CREATE_EVERY = 3;

// No client-side retries: the test sees the status the service answered.
const clientOptions = (address: string): ClientOptions => ({
  address,
  retries: 0,
  defaultDeadlineMs: 10_000,
});

/** A writer for `service` at `address`, acting as `user`. */
export async function createWriter(
  service: ServiceName,
  address: string,
  user: TestUser,
): Promise<Writer> {
  const as = { token: user.token };
  let current: string | null = null;
  let writes = 0;
  const createNext = (): boolean => current === null || writes++ % CREATE_EVERY === 0;
  const acked = (topic: string, subject: string, verb: string, marker: string): AckedWrite => ({
    service,
    topic,
    subject,
    type: `${topic}.${verb}`,
    marker,
  });

  switch (service) {
    case 'users': {
      const client = createUsersClient(clientOptions(address));
      return {
        service,
        close: () => client.close(),
        write: async (marker) => {
          const request = usersV1.UpdateUserRequest.fromPartial({
            user: { id: user.user.id, fullName: marker },
            updateMask: ['full_name'],
          });
          const updated = await client.updateUser(request, as);
          return acked('nexus.users.user', updated.id, 'updated', marker);
        },
      };
    }
    case 'content': {
      const client = createContentClient(clientOptions(address));
      return {
        service,
        close: () => client.close(),
        write: async (marker) => {
          if (createNext()) {
            const document = contentV1.Document.fromPartial({
              title: marker,
              kind: contentV1.DocumentKind.DOCUMENT_KIND_DOCUMENT,
              content: { text: marker },
            });
            const created = await client.documents.createDocument(
              { document, requestId: '', versionNote: '' },
              as,
            );
            current = created.id;
            return acked('nexus.content.document', created.id, 'created', marker);
          }
          const request = contentV1.UpdateDocumentRequest.fromPartial({
            document: { id: current!, title: marker },
            updateMask: ['title'],
          });
          const updated = await client.documents.updateDocument(request, as);
          return acked('nexus.content.document', updated.id, 'updated', marker);
        },
      };
    }
    case 'comms': {
      const client = createCommsClient(clientOptions(address));
      const room = await client.chat.createRoom(
        {
          room: commsV1.ChatRoom.fromPartial({
            name: `faults-${user.user.id.slice(-12)}-${Date.now()}`,
            kind: commsV1.RoomKind.ROOM_KIND_CHANNEL,
          }),
          memberIds: [],
          requestId: '',
        },
        as,
      );
      return {
        service,
        close: () => client.close(),
        write: async (marker) => {
          if (createNext()) {
            const posted = await client.chat.postMessage(
              { roomId: room.id, text: marker, attachmentIds: [], replyToId: '', requestId: '' },
              as,
            );
            current = posted.id;
            return acked('nexus.comms.chat-message', posted.id, 'created', marker);
          }
          const edited = await client.chat.editMessage(
            { id: current!, text: marker, etag: '' },
            as,
          );
          return acked('nexus.comms.chat-message', edited.id, 'updated', marker);
        },
      };
    }
    case 'work': {
      const clients = createWorkClients(clientOptions(address));
      const project = await clients.projects.createProject(
        { project: workV1.Project.fromPartial({ name: `faults ${Date.now()}` }), requestId: '' },
        as,
      );
      return {
        service,
        close: () => {
          clients.projects.close();
          clients.tasks.close();
        },
        write: async (marker) => {
          if (createNext()) {
            const task = workV1.Task.fromPartial({ title: marker, projectId: project.id });
            const created = await clients.tasks.createTask({ task, requestId: '' }, as);
            current = created.id;
            return acked('nexus.work.task', created.id, 'created', marker);
          }
          const request = workV1.UpdateTaskRequest.fromPartial({
            task: { id: current!, title: marker },
            updateMask: ['title'],
          });
          const updated = await clients.tasks.updateTask(request, as);
          return acked('nexus.work.task', updated.id, 'updated', marker);
        },
      };
    }
    case 'ai-usage': {
      const clients = createAiUsageClients(clientOptions(address));
      return {
        service,
        close: () => {
          clients.usage.close();
          clients.prices.close();
          clients.budgets.close();
        },
        write: async (marker) => {
          const interaction = { ...validInteraction(user.user.id), traceId: marker };
          const recorded = await clients.usage.recordInteraction(
            { interaction, requestId: '' },
            as,
          );
          return acked('nexus.ai-usage.interaction', recorded.id, 'created', marker);
        },
      };
    }
  }
}
