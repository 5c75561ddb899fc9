import { etagOf } from '@nexus/db';
import type { commsV1 } from '@nexus/proto';
import type { ChatMessageEntity } from './chat-message.entity';

/**
 * The API's view of a message; a tombstone has no text or attachments.
 * `reacted` is the reader's own (readerReactions): false in events.
 */
export function toChatMessage(message: ChatMessageEntity): commsV1.ChatMessage {
  const deleted = Boolean(message.deletedAt);
  return {
    id: message.id,
    roomId: message.roomId,
    authorId: message.authorId,
    authorDeleted: message.authorDeleted,
    text: deleted ? '' : message.text,
    attachmentIds: deleted ? [] : message.attachmentIds,
    replyToId: message.replyToId ?? '',
    replyCount: message.replyCount,
    lastReplyTime: message.lastReplyAt ?? undefined,
    participantIds: message.participantIds,
    edited: message.editCount > 0,
    editCount: message.editCount,
    deleteTime: message.deletedAt ?? undefined,
    createTime: message.createdAt,
    updateTime: message.updatedAt,
    etag: etagOf(message),
    reactions: message.reactions.map(({ emoji, count }) => ({
      emoji,
      count,
      reacted: message.readerReactions.includes(emoji),
    })),
    pinTime: message.pinnedAt ?? undefined,
    pinnedBy: message.pinnedBy ?? '',
  };
}
