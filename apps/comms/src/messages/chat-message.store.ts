import type { DataSource, EntityManager } from 'typeorm';
import { AggregateStore, queryPrepared, type PageTokenCodec } from '@nexus/db';
import { chatMessageAggregate } from './chat-message.aggregate';
import { ChatMessageEntity } from './chat-message.entity';

/** Distinct emoji one message may carry; a new one past it is FAILED_PRECONDITION. */
export const MAX_REACTION_EMOJI = 50;

/** Loads the reaction counts of messages: the part of the message resource that is not a column. */
async function hydrateMessages(
  manager: EntityManager,
  messages: ChatMessageEntity[],
): Promise<void> {
  // Every read and write of a message loads them: a prepared statement of fixed text.
  const rows = await queryPrepared<{ message_id: string; emoji: string; count: number }>(
    manager,
    `SELECT "message_id", "emoji", count(*)::int AS "count" FROM "comms"."chat_reactions"
     WHERE "message_id" = ANY($1::uuid[]) GROUP BY "message_id", "emoji"
     ORDER BY "message_id", min("created_at"), "emoji"`,
    [messages.map((message) => message.id)],
  );
  for (const message of messages) {
    message.reactions = rows
      .filter((row) => row.message_id === message.id)
      .map((row) => ({ emoji: row.emoji, count: row.count }));
  }
}

/**
 * Messages with their reaction counts, read and changed as one aggregate
 * through the kit's store: a reaction added or taken back is a change of
 * its message (version, etag, one event). The reaction, mention and pin
 * SQL lives here too.
 */
export class ChatMessageStore extends AggregateStore<ChatMessageEntity> {
  constructor(dataSource: DataSource, pageTokens: PageTokenCodec) {
    super(dataSource, ChatMessageEntity, chatMessageAggregate, pageTokens, {
      hydrate: hydrateMessages,
      resourceName: 'chat message',
    });
  }

  /** Fills `readerReactions`: the emoji `userId` reacted with on each message. */
  async withReaderReactions(userId: string, messages: ChatMessageEntity[]): Promise<void> {
    if (messages.length === 0) return;
    const rows = await queryPrepared<{ message_id: string; emoji: string }>(
      this.dataSource.manager,
      `SELECT "message_id", "emoji" FROM "comms"."chat_reactions"
       WHERE "message_id" = ANY($1::uuid[]) AND "user_id" = $2`,
      [messages.map((message) => message.id), userId],
    );
    for (const message of messages) {
      message.readerReactions = rows
        .filter((row) => row.message_id === message.id)
        .map((row) => row.emoji);
    }
  }

  /** Adds one user's reaction; false when they already had it. */
  async addReaction(
    manager: EntityManager,
    reaction: { messageId: string; emoji: string; userId: string },
  ): Promise<boolean> {
    const inserted = await queryPrepared(
      manager,
      `INSERT INTO "comms"."chat_reactions" ("message_id", "emoji", "user_id") VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING "user_id"`,
      [reaction.messageId, reaction.emoji, reaction.userId],
    );
    return inserted.length > 0;
  }

  /** Takes one user's reaction back; false when they did not have it. */
  async removeReaction(
    manager: EntityManager,
    reaction: { messageId: string; emoji: string; userId: string },
  ): Promise<boolean> {
    const removed = await queryPrepared(
      manager,
      `DELETE FROM "comms"."chat_reactions" WHERE "message_id" = $1 AND "emoji" = $2 AND "user_id" = $3
       RETURNING "user_id"`,
      [reaction.messageId, reaction.emoji, reaction.userId],
    );
    return removed.length > 0;
  }

  /** The users a message's text names, as they are now (the old rows go). */
  async replaceMentions(
    manager: EntityManager,
    message: ChatMessageEntity,
    userIds: readonly string[],
  ): Promise<void> {
    await manager.query(`DELETE FROM "comms"."chat_mentions" WHERE "message_id" = $1`, [
      message.id,
    ]);
    if (userIds.length === 0) return;
    await manager.query(
      `INSERT INTO "comms"."chat_mentions" ("message_id", "user_id", "room_id", "seq")
       SELECT $1, "user_id", $2, $3 FROM unnest($4::uuid[]) AS "u"("user_id")`,
      [message.id, message.roomId, message.seq, userIds],
    );
  }

  /** What a tombstone leaves of a message's children: no reactions, no mentions. */
  async clearChildren(manager: EntityManager, messageId: string): Promise<void> {
    await manager.query(`DELETE FROM "comms"."chat_reactions" WHERE "message_id" = $1`, [
      messageId,
    ]);
    await manager.query(`DELETE FROM "comms"."chat_mentions" WHERE "message_id" = $1`, [messageId]);
  }

  /**
   * Counts a pin against the room's limit: one conditional increment of the
   * room's counter, so concurrent pins of different messages in one room
   * never pass the limit together. False when the room is full.
   */
  async countPin(manager: EntityManager, roomId: string, limit: number): Promise<boolean> {
    const counted = await queryPrepared(
      manager,
      `UPDATE "comms"."chat_rooms" SET "pin_count" = "pin_count" + 1
       WHERE "id" = $1 AND "pin_count" < $2 RETURNING "pin_count"`,
      [roomId, limit],
    );
    return counted.length > 0;
  }

  async uncountPin(manager: EntityManager, roomId: string): Promise<void> {
    await queryPrepared(
      manager,
      `UPDATE "comms"."chat_rooms" SET "pin_count" = GREATEST("pin_count" - 1, 0) WHERE "id" = $1
       RETURNING "pin_count"`,
      [roomId],
    );
  }

  /** The members of a room now (inside a write: who a `<!room>` reaches). */
  async memberIds(manager: EntityManager, roomId: string): Promise<string[]> {
    const rows = await queryPrepared<{ user_id: string }>(
      manager,
      `SELECT "user_id" FROM "comms"."chat_members" WHERE "room_id" = $1`,
      [roomId],
    );
    return rows.map((row) => row.user_id);
  }
}
