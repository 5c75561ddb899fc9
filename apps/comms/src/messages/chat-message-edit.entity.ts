import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One edit of a message: the text it replaced, who edited and when. Part of the message aggregate. */
@Entity({ name: 'chat_message_edits' })
@Index('IDX_chat_message_edits_message', ['messageId', 'editedAt'])
export class ChatMessageEditEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  messageId!: string;

  @Column({ type: 'text' })
  previousText!: string;

  @Column({ type: 'uuid' })
  editorId!: string;

  @Column({ type: 'timestamptz', precision: 3 })
  editedAt!: Date;
}
