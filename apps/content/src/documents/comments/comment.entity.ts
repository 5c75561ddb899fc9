import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import { DocumentEntity } from '../document.entity';

/** Where in the content a comment is, as the client gave it (validated, stored as is). */
export interface CommentAnchor {
  path: string;
  startOffset: number;
  endOffset: number;
  quote: string;
}

/**
 * A comment on a document, its own aggregate (nexus.content.document-comment).
 * A thread is its first comment (`threadId` null) and the replies naming
 * it; resolving is a state of the thread, kept on its first comment.
 * Comments go with their document (purge) and replies with their thread.
 * ListComments' thread order, (document_id, COALESCE(thread_id, id), id), is
 * an expression index TypeORM cannot express: it lives in the migration.
 */
@Entity({ name: 'document_comments' })
@Index('IDX_document_comments_thread_order', { synchronize: false })
@Index('IDX_document_comments_thread', ['threadId'])
export class CommentEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  documentId!: string;

  @ManyToOne(() => DocumentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id' })
  document?: DocumentEntity;

  /** The thread's first comment; null on that comment itself. */
  @Column({ type: 'uuid', nullable: true })
  threadId!: string | null;

  @ManyToOne(() => CommentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'thread_id' })
  thread?: CommentEntity;

  @Column({ type: 'uuid' })
  authorId!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'jsonb', nullable: true })
  anchor!: CommentAnchor | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedBy!: string | null;
}
