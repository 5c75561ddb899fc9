import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity } from '@nexus/db';
import { TaskEntity } from '../tasks/task.entity';

/**
 * A comment on a task: an aggregate of its own (its own etag and events on
 * `nexus.work.task-comment`), erased with its task.
 */
@Entity({ name: 'task_comments' })
@Index('IDX_task_comments_task_created_at_id', ['taskId', 'createdAt', 'id'])
export class TaskCommentEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_task_comments_task' })
  task?: TaskEntity;

  @Index('IDX_task_comments_author_id')
  @Column({ type: 'uuid' })
  authorId!: string;

  @Column({ type: 'text' })
  text!: string;
}
