import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { JsonValue } from '@nexus/db';
import { TaskEntity } from '../tasks/task.entity';
import type { TaskActivityKind } from './task-activity';

/** One field of a task as one change left it: its proto3 JSON value before and after. */
export interface FieldChange {
  field: string;
  before: JsonValue;
  after: JsonValue;
}

/**
 * One entry of a task's history, written by the task and comment
 * aggregates' event observers in the transaction of the event it records
 * (its id is the event's id), erased with the task.
 */
@Entity({ name: 'task_activity' })
@Index('IDX_task_activity_task_created_at_id', ['taskId', 'createdAt', 'id'])
export class TaskActivityEntity {
  /** The event's id. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_task_activity_task' })
  task?: TaskEntity;

  @Column({ type: 'text' })
  kind!: TaskActivityKind;

  /** Null when the platform acted (a deactivated user's tasks unassigned). */
  @Column({ type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'jsonb', default: [] })
  changes!: FieldChange[];

  @Column({ type: 'uuid', nullable: true })
  commentId!: string | null;

  /** The event's time. */
  @Column({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
