import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A user a message mentions by `<@user-id>`, with the message's room and
 * position, so a member's mention count is an index range after their read
 * marker (chat-mention.store.ts). Part of the message aggregate: rewritten
 * when the text changes, gone with it. `<!room>` is the message's
 * `mentions_room` column instead, not one row per member.
 */
@Entity({ name: 'chat_mentions' })
@Index('IDX_chat_mentions_user_room', ['userId', 'roomId', 'seq'])
export class ChatMentionEntity {
  @PrimaryColumn({ type: 'uuid' })
  messageId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'uuid' })
  roomId!: string;

  /** The message's position in the room (ChatMessageEntity.seq). */
  @Column({ type: 'bigint' })
  seq!: string;
}
