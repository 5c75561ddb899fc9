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

  @SearchVectorColumn(CHAT_MESSAGE_SEARCH)
  readonly searchVector?: unknown;

  /** Not stored: whether the author's account was deleted (filled on read). */
  authorDeleted = false;
}
