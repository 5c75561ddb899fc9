import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One user's reaction to a message with one emoji: the key makes a second
 * identical reaction impossible. Part of the message aggregate (its
 * resource shows the counts per emoji).
 */
@Entity({ name: 'chat_reactions' })
export class ChatReactionEntity {
  @PrimaryColumn({ type: 'uuid' })
  messageId!: string;

  /** Canonical form (reaction-emoji.ts): a fully-qualified emoji or a `:shortcode:`. */
  @PrimaryColumn({ type: 'text' })
  emoji!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt!: Date;
}
