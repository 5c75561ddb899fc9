import { UserDirectory } from '@nexus/clients';
import { CrudRepository } from '@nexus/db';
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
import { EmailService } from './emails/email.service';
import { mailboxAggregate } from './mailboxes/mailbox.aggregate';
import { chatMessageAggregate } from './messages/chat-message.aggregate';
import { ChatMessageEntity } from './messages/chat-message.entity';
import { ChatMessageService } from './messages/chat-message.service';
import { chatRoomAggregate } from './rooms/chat-room.aggregate';
import { ChatRoomService } from './rooms/chat-room.service';
import { chatServiceHandlers } from './rooms/chat.grpc';
import { ChatRoomStore } from './rooms/chat-room.store';

/** The comms service: internal email with mailboxes and threads, and chat. */
export function commsService(config: CommsConfig): ServiceSpec {
  const directory = new UserDirectory(config.users);
  const attachments = createAttachmentChecker(config.content);

  return {
    name: 'comms',
    ...database,
    aggregates: [emailAggregate, mailboxAggregate, chatRoomAggregate, chatMessageAggregate],
    bind: ({ dataSource, pageTokens, rpc }) => {
      const deletedUsers = new DeletedUsers(dataSource);
      const { mailboxes, filing, copies } = emailParts(dataSource, pageTokens, deletedUsers);
      const rooms = new ChatRoomStore(dataSource, pageTokens);
      const messages = new CrudRepository(
        dataSource,
        ChatMessageEntity,
        chatMessageAggregate,
        pageTokens,
        'chat message',
      );
      return [
        {
          name: 'nexus.comms.v1.EmailService',
          definition: commsV1.EmailServiceService,
          implementation: emailServiceHandlers(rpc, {
            emails: new EmailService(copies),
            drafts: new EmailDraftsService(copies, attachments),
            sending: new EmailSendingService(copies, directory, attachments),
            filing,
            mailboxes,
          }),
        },
        {
          name: 'nexus.comms.v1.ChatService',
          definition: commsV1.ChatServiceService,
          implementation: chatServiceHandlers(
            rpc,
            new ChatRoomService(rooms, directory),
            new ChatMessageService(messages, rooms, deletedUsers, attachments),
          ),
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
