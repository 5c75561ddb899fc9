import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const MEMBER_ROLES = ['owner', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** A member of a room: part of the room aggregate, plus the member's own read marker. */
@Entity({ name: 'chat_members' })
@Index('IDX_chat_members_user', ['userId', 'roomId'])
export class ChatMemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  roomId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'enum', enum: MEMBER_ROLES, enumName: 'member_role', default: 'member' })
  role!: MemberRole;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  joinedAt!: Date;

  /** The room's `last_seq` when the member last read it (their own posts count as read). */
  @Column({ type: 'bigint', default: 0 })
  lastReadSeq!: string;
}
