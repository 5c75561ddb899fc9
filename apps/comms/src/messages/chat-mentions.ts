import type { UserDirectory } from '@nexus/clients';
import { KitError, MAX_MENTIONS, findMentions, isUuid, type Principal } from '@nexus/core';
import type { Tx } from '@nexus/db';
import { CommsError } from '../comms.errors';
import type { ChatRoomEntity } from '../rooms/chat-room.entity';
import { chatMessageAggregate } from './chat-message.aggregate';
import type { ChatMessageEntity } from './chat-message.entity';
import type { ChatMessageStore } from './chat-message.store';

/**
 * Members a `<!room>` may reach. In a larger room it is refused
 * (INVALID_ARGUMENT `ROOM_MENTION_TOO_LARGE`): Mattermost likewise stops
 * @channel notifications past 1,000 members, and one post should not
 * fan out into more events than that.
 */
export const MAX_ROOM_MENTION_MEMBERS = 1000;

/** What a message's text mentions, and what of it is new (an edit notifies only the new). */
export interface MentionPlan {
  /** Every user the text names but its author: the message's chat_mentions rows. */
  userIds: string[];
  /** The text holds `<!room>`. */
  everyone: boolean;
  /** Named by this text and not by the one it replaces (those checked). */
  newUserIds: string[];
}

/**
 * Mentions in chat messages. A user named by `<@user-id>` must be active
 * and able to read the room (any user for a channel, a member otherwise:
 * chat-access.ts canRead, without the admins' oversight of every room);
 * anyone else is refused (INVALID_ARGUMENT `MENTIONED_USER_CANNOT_READ` on
 * `text`), so the author learns that their mention would reach no one.
 * Only mentions new to a text are checked: an edit keeps a mention of a user
 * who has since left.
 */
export class ChatMentions {
  constructor(private readonly directory: UserDirectory) {}

  /** Reads `text` against the text it replaces (null for a new message) and refuses what may not be mentioned. */
  async plan(
    caller: Principal,
    room: ChatRoomEntity,
    text: string,
    previousText: string | null,
    deadline: Date | undefined,
  ): Promise<MentionPlan> {
    const now = findMentions(text);
    const before = previousText === null ? null : findMentions(previousText);
    if (now.userIds.length > MAX_MENTIONS)
      throw refusal('TOO_MANY_MENTIONS', [`may mention at most ${MAX_MENTIONS} users`]);
    const earlier = { userIds: new Set(before?.userIds), everyone: before?.everyone ?? false };
    const malformed = now.userIds.filter((id) => !isUuid(id) && !earlier.userIds.has(id));
    if (malformed.length > 0)
      throw new KitError(
        'UNKNOWN_USER',
        `not a user id: ${malformed.join(', ')}`,
        malformed.map((id) => ({
          field: 'text',
          description: `${id} is not a user id`,
          reason: 'UNKNOWN_USER',
        })),
      );
    // A malformed id kept from a text older than these checks names no one.
    const userIds = now.userIds.filter((id) => id !== caller.userId && isUuid(id));
    const newUserIds = userIds.filter((id) => !earlier.userIds.has(id));
    await this.directory.requireActive(
      caller,
      newUserIds.map((id) => ({ id, field: 'text' })),
      deadline,
    );
    if (room.kind !== 'channel') {
      const members = new Set(room.members.map((member) => member.userId));
      const outsiders = newUserIds.filter((id) => !members.has(id));
      if (outsiders.length > 0)
        throw refusal(
          'MENTIONED_USER_CANNOT_READ',
          outsiders.map((id) => `user ${id} cannot read this room`),
        );
    }
    if (now.everyone && !earlier.everyone && room.members.length > MAX_ROOM_MENTION_MEMBERS)
      throw refusal('ROOM_MENTION_TOO_LARGE', [
        `<!room> reaches at most ${MAX_ROOM_MENTION_MEMBERS} members; this room has more`,
      ]);
    return { userIds, everyone: now.everyone, newUserIds };
  }

  /**
   * Inside the message's write: its mention rows as the text now says, and
   * one `mentioned` event per user the text reaches that `previousText` (as
   * the write found it locked; null for a new message) did not, never its
   * author; who can read the room is judged on the members as they are in
   * this transaction.
   */
  async record(
    tx: Tx,
    store: ChatMessageStore,
    room: ChatRoomEntity,
    message: ChatMessageEntity,
    plan: MentionPlan,
    previousText: string | null,
  ): Promise<void> {
    // A new message has no rows to replace: a post without mentions costs no statement.
    if (previousText !== null || plan.userIds.length > 0)
      await store.replaceMentions(tx.manager, message, plan.userIds);
    if (plan.userIds.length === 0 && !plan.everyone) return;
    const earlier = previousText === null ? null : findMentions(previousText);
    const members = new Set(await store.memberIds(tx.manager, room.id));
    const canRead = (id: string) => room.kind === 'channel' || members.has(id);
    const reachedBefore = (id: string) =>
      earlier !== null && (earlier.userIds.includes(id) || (earlier.everyone && members.has(id)));
    const reached = new Set([...plan.userIds.filter(canRead), ...(plan.everyone ? members : [])]);
    const createTime = new Date().toISOString();
    await tx.emitMentions(
      chatMessageAggregate,
      [...reached]
        .filter((id) => id !== message.authorId && !reachedBefore(id))
        .map((userId) => ({
          userId,
          resourceType: 'chat-message',
          resourceId: message.id,
          parentId: room.id,
          actorId: tx.actor,
          createTime,
        })),
    );
  }
}

/** INVALID_ARGUMENT with `reason`, one violation of `text` per description. */
function refusal(
  reason: 'TOO_MANY_MENTIONS' | 'MENTIONED_USER_CANNOT_READ' | 'ROOM_MENTION_TOO_LARGE',
  descriptions: string[],
): CommsError {
  return new CommsError(
    reason,
    descriptions.join('; '),
    descriptions.map((description) => ({ field: 'text', description, reason })),
  );
}
