import { Column, Entity, Index } from 'typeorm';
import { SoftDeletableEntity } from '@nexus/db';
import type { ChatMemberEntity } from './chat-member.entity';

export const ROOM_KINDS = ['channel', 'private', 'direct'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];

/**
 * A chat room. `last_seq` numbers the room's messages (taken under the
 * room's row lock when posting); a member's unread count is the distance
 * from their read marker, so ListRooms counts without scanning messages.
 */
@Entity({ name: 'chat_rooms' })
@Index('IDX_chat_rooms_activity', ['lastMessageAt', 'id'])
@Index('IDX_chat_rooms_kind_activity', ['kind', 'lastMessageAt', 'id'])
export class ChatRoomEntity extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'enum', enum: ROOM_KINDS, enumName: 'room_kind' })
  kind!: RoomKind;

  @Column({ type: 'text', default: '' })
  topic!: string;

  @Column({ type: 'uuid' })
  creatorId!: string;

  /** Direct rooms only: the pair's sorted user ids; unique, so one room per pair. */
  @Index('UQ_chat_rooms_direct_key', { unique: true })
  @Column({ type: 'text', nullable: true })
  directKey!: string | null;

  @Column({ type: 'bigint', default: 0 })
  lastSeq!: string;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  lastMessageAt!: Date;

  /**
   * Pinned messages in the room, kept by the pin and unpin statements
   * (chat-pins.ts) so the limit holds under concurrent pins, as `last_seq` is kept by posts.
   */
  @Column({ type: 'integer', default: 0 })
  pinCount!: number;

  /** Not stored here: the members, loaded with the room (part of its resource). */
  members: ChatMemberEntity[] = [];
}
