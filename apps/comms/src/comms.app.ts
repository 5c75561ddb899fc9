import { UserDirectory } from '@nexus/clients';
import { runEventConsumer } from '@nexus/events';
import { commsV1 } from '@nexus/proto';
import type { ServiceSpec } from '@nexus/runtime';
import { createAttachmentChecker } from './attachments/create-attachment-checker';
import type { CommsConfig } from './config';
import { database } from './database';
import { UserEventsHandler } from './directory/user-events.consumer';
import { DeletedUsers } from './directory/deleted-users';
import { EmailDraftsService } from './emails/email-drafts.service';
import { EmailSendingService } from './emails/email-sending.service';
import { emailAggregate } from './emails/email.aggregate';
import { emailParts } from './emails/email-parts';
import { emailServiceHandlers } from './emails/email.grpc';
import { liveMail, liveMailHandlers } from './emails/live-mail.grpc';
import { EmailService } from './emails/email.service';
import { mailboxAggregate } from './mailboxes/mailbox.aggregate';
import { chatMessageAggregate } from './messages/chat-message.aggregate';
import { chatMessaging } from './messages/chat-messaging';
import { chatRoomAggregate } from './rooms/chat-room.aggregate';
import { readMarkerAggregate } from './rooms/read-marker.aggregate';
import { ChatRoomService } from './rooms/chat-room.service';
import { chatServiceHandlers } from './rooms/chat.grpc';
import { liveChatHandlers } from './rooms/room-watch';
import { ChatRoomStore } from './rooms/chat-room.store';

/** The comms service: internal email with mailboxes and threads, and chat. */
export function commsService(config: CommsConfig): ServiceSpec {
  const directory = new UserDirectory(config.users);
  const attachments = createAttachmentChecker(config.content);

  return {
    name: 'comms',
    ...database,
    aggregates: [
      emailAggregate,
      mailboxAggregate,
      chatRoomAggregate,
      chatMessageAggregate,
      readMarkerAggregate,
    ],
    live: true,
    bind: ({ dataSource, pageTokens, rpc, live, signals }) => {
      const deletedUsers = new DeletedUsers(dataSource);
      const { mailboxes, filing, copies } = emailParts(dataSource, pageTokens, deletedUsers);
      const rooms = new ChatRoomStore(dataSource, pageTokens);
      const chat = chatMessaging(dataSource, pageTokens, {
        rooms,
        directory,
        attachments,
        deletedUsers,
      });
      const roomService = new ChatRoomService(rooms, directory);
      return [
        {
          name: 'nexus.comms.v1.EmailService',
          definition: commsV1.EmailServiceService,
          implementation: {
            ...emailServiceHandlers(rpc, {
              emails: new EmailService(copies),
              drafts: new EmailDraftsService(copies, attachments),
              sending: new EmailSendingService(copies, directory, attachments),
              filing,
              mailboxes,
            }),
            ...liveMailHandlers(rpc, liveMail(dataSource, pageTokens, live, mailboxes)),
          },
        },
        {
          name: 'nexus.comms.v1.ChatService',
          definition: commsV1.ChatServiceService,
          implementation: {
            ...chatServiceHandlers(rpc, roomService, chat.messages, chat),
            ...liveChatHandlers(rpc, { live, signals, rooms: roomService }),
          },
        },
      ];
    },
    consume: async ({ kafka, dataSource, logger, pageTokens }) => {
      const handler = new UserEventsHandler(
        emailParts(dataSource, pageTokens, new DeletedUsers(dataSource)).mailboxes,
        new ChatRoomStore(dataSource, pageTokens),
      );
      return [
        await runEventConsumer({
          kafka,
          dataSource,
          logger,
          service: 'comms',
          groupId: 'nexus-comms',
          topics: ['nexus.users.user'],
          handle: (event, tx) => handler.handle(event, tx),
        }),
      ];
    },
  };
}
