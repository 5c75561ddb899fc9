import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { TaskEntity } from './task.entity';

/** Hours worked on a task; part of the task's aggregate (task.actual_hours is their sum). */
@Entity({ name: 'time_entries' })
@Index('IDX_time_entries_task_created_at_id', ['taskId', 'createdAt', 'id'])
@Check('CHK_time_entries_hours', `"hours" > 0 AND "hours" <= 24`)
export class TimeEntryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_time_entries_task' })
  task?: TaskEntity;

  @Index('IDX_time_entries_user_id')
  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'numeric', precision: 5, scale: 2 })
  hours!: string;

  @Column({ type: 'date' })
  workDate!: string;

  @Column({ type: 'text', default: '' })
  note!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
