import { KitError, type Principal } from '@nexus/core';
import type { DeletedUsers } from '../directory/deleted-users';
import { checkRead } from '../rooms/chat-access';
import type { ChatMemberEntity } from '../rooms/chat-member.entity';
import type { ChatRoomEntity } from '../rooms/chat-room.entity';
import type { ChatRoomStore } from '../rooms/chat-room.store';
import type { ChatMessageEntity } from './chat-message.entity';
import type { ChatMessageStore } from './chat-message.store';

/** A message with the room it is in and the caller's membership of it. */
export interface MessageInRoom {
  message: ChatMessageEntity;
  room: ChatRoomEntity;
  member: ChatMemberEntity | null;
}

/** How every chat RPC finds a message for its caller and shows it to them. */
export class MessageReader {
  constructor(
    private readonly messages: ChatMessageStore,
    private readonly rooms: ChatRoomStore,
    private readonly deletedUsers: DeletedUsers,
  ) {}

  /** The message, if the caller may read its room (else NOT_FOUND, as for a message that does not exist). */
  async readable(caller: Principal, id: string): Promise<MessageInRoom> {
    const message = await this.messages.get(id);
    const room = await this.rooms.get(message.roomId);
    const member = room.members.find((m) => m.userId === caller.userId) ?? null;
    try {
      checkRead(caller, room, member);
    } catch {
      throw KitError.notFound('chat message', id);
    }
    return { message, room, member };
  }

  /** Fills what only a reader sees: whether the author's account was deleted, and their own reactions. */
  async shown(caller: Principal, messages: ChatMessageEntity[]): Promise<ChatMessageEntity[]> {
    const deleted = await this.deletedUsers.among(messages.map((m) => m.authorId));
    for (const message of messages) message.authorDeleted = deleted.has(message.authorId);
    await this.messages.withReaderReactions(caller.userId, messages);
    return messages;
  }

  async shownOne(caller: Principal, message: ChatMessageEntity): Promise<ChatMessageEntity> {
    return (await this.shown(caller, [message]))[0];
  }
}
