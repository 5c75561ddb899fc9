import type { Principal } from '@nexus/core';
import { inTransaction } from '@nexus/db';
import { CommsError } from '../comms.errors';
import { checkActive, checkCanWrite, checkMember, checkNotDeleted } from '../rooms/chat-access';
import type { ChatMessageEntity } from './chat-message.entity';
import { MAX_REACTION_EMOJI, type ChatMessageStore } from './chat-message.store';
import type { MessageReader } from './message-reader';

/**
 * Reactions: members of a message's room react to it, one reaction per user
 * per emoji. Each is a change of the message (its counts, version and etag),
 * written under the message's lock, so reactions of many users at once are
 * all counted; one that changes nothing (added twice, removed when absent)
 * writes and emits nothing.
 */
export class ChatReactionService {
  constructor(
    private readonly messages: ChatMessageStore,
    private readonly reader: MessageReader,
  ) {}

  /** `emoji` is in its canonical form (reaction-emoji.ts). */
  async add(caller: Principal, messageId: string, emoji: string): Promise<ChatMessageEntity> {
    await this.checkMayReact(caller, messageId);
    const reaction = { messageId, emoji, userId: caller.userId };
    const message = await inTransaction(this.messages.dataSource, caller.userId, (tx) =>
      this.messages.update(tx, messageId, {
        verb: 'reaction_added',
        apply: async (message, applying) => {
          checkNotDeleted(message);
          const known = message.reactions.some((r) => r.emoji === emoji);
          if (!known && message.reactions.length >= MAX_REACTION_EMOJI)
            throw new CommsError(
              'REACTION_LIMIT_REACHED',
              `message ${messageId} already has ${MAX_REACTION_EMOJI} different reactions`,
            );
          if (await this.messages.addReaction(tx.manager, reaction))
            await applying.reloadChildren();
        },
      }),
    );
    return this.reader.shownOne(caller, message);
  }

  async remove(caller: Principal, messageId: string, emoji: string): Promise<ChatMessageEntity> {
    await this.checkMayReact(caller, messageId);
    const reaction = { messageId, emoji, userId: caller.userId };
    const message = await inTransaction(this.messages.dataSource, caller.userId, (tx) =>
      this.messages.update(tx, messageId, {
        verb: 'reaction_removed',
        apply: async (message, applying) => {
          checkNotDeleted(message);
          if (await this.messages.removeReaction(tx.manager, reaction))
            await applying.reloadChildren();
        },
      }),
    );
    return this.reader.shownOne(caller, message);
  }

  /** As posting: a member of a room that is not archived (NOT_FOUND for who cannot read it). */
  private async checkMayReact(caller: Principal, messageId: string): Promise<void> {
    checkCanWrite(caller);
    const { room, member } = await this.reader.readable(caller, messageId);
    checkMember(room, member);
    checkActive(room);
  }
}
