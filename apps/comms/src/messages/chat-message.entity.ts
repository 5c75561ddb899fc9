import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, SearchVectorColumn, searchVectorSql } from '@nexus/db';

/** What SearchMessages matches: the text (a tombstone's is empty). */
export const CHAT_MESSAGE_SEARCH = searchVectorSql('comms', [{ sql: '"text"', weight: 'A' }]);

/**
 * A chat message. Top-level messages and thread replies are listed through
 * separate indexes (a partial one for the room's top level), both keyset on
 * (created_at, id), so a page deep in history costs what the first does.
 * A deleted message stays as a tombstone: text and attachments cleared.
 */
@Entity({ name: 'chat_messages' })
@Index('IDX_chat_messages_room_top', ['roomId', 'createdAt', 'id'], {
  where: '"reply_to_id" IS NULL',
})
@Index('IDX_chat_messages_thread', ['replyToId', 'createdAt', 'id'])
// ListPinnedMessages: a room's pins, most recent first.
@Index('IDX_chat_messages_pinned', ['roomId', 'pinnedAt', 'id'], {
  where: '"pinned_at" IS NOT NULL',
})
// Mention counts: a room's `<!room>` messages after a read marker.
@Index('IDX_chat_messages_room_mentions', ['roomId', 'seq'], { where: '"mentions_room"' })
// GIN over the search vector: created by the migration (TypeORM cannot say USING gin).
@Index('IDX_chat_messages_search', { synchronize: false })
export class ChatMessageEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  roomId!: string;

  /** Position in the room (see ChatRoomEntity.lastSeq). */
  @Column({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'uuid' })
  authorId!: string;

  @Column({ type: 'text', default: '' })
  text!: string;

  @Column({ type: 'uuid', array: true, default: '{}' })
  attachmentIds!: string[];

  /** The thread root; replies to a reply join the root's thread. */
  @Column({ type: 'uuid', nullable: true })
  replyToId!: string | null;

  @Column({ type: 'integer', default: 0 })
  replyCount!: number;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  lastReplyAt!: Date | null;

  @Column({ type: 'uuid', array: true, default: '{}' })
  participantIds!: string[];

  @Column({ type: 'integer', default: 0 })
  editCount!: number;

  /** Tombstone time: reads show the message without its text. Not a TypeORM soft delete, which would hide it. */
  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  deletedAt!: Date | null;

  /** The text mentions everyone in the room (`<!room>`); the users it names are in chat_mentions. */
  @Column({ type: 'boolean', default: false })
  mentionsRoom!: boolean;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  pinnedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  pinnedBy!: string | null;

  @SearchVectorColumn(CHAT_MESSAGE_SEARCH)
  readonly searchVector?: unknown;

  /** Not stored: whether the author's account was deleted (filled on read). */
  authorDeleted = false;

  /** Not stored here: the reactions per emoji (chat_reactions, loaded with the message). */
  reactions: { emoji: string; count: number }[] = [];

  /** Not stored: the emoji the reader reacted with (filled on read, empty in events). */
  readerReactions: string[] = [];
}
