import { DeletedUserEntity } from './directory/deleted-user.entity';
import { EmailEntity } from './emails/email.entity';
import { EmailMailboxEntity } from './mailboxes/email-mailbox.entity';
import { MailboxEntity } from './mailboxes/mailbox.entity';
import { ChatMessageEditEntity } from './messages/chat-message-edit.entity';
import { ChatMessageEntity } from './messages/chat-message.entity';
import { ChatMentionEntity } from './messages/chat-mention.entity';
import { ChatReactionEntity } from './messages/chat-reaction.entity';
import { MIGRATIONS } from './migrations';
import { ChatMemberEntity } from './rooms/chat-member.entity';
import { ChatRoomEntity } from './rooms/chat-room.entity';

/** The comms schema: what the service, the nexus CLI and the drift check share. */
export const database = {
  schema: 'comms',
  entities: [
    MailboxEntity,
    EmailEntity,
    EmailMailboxEntity,
    ChatRoomEntity,
    ChatMemberEntity,
    ChatMessageEntity,
    ChatMessageEditEntity,
    ChatMentionEntity,
    ChatReactionEntity,
    DeletedUserEntity,
  ],
  migrations: MIGRATIONS,
};
