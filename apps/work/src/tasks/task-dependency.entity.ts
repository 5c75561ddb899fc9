import {
  Check,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { TaskEntity } from './task.entity';

/**
 * "task_id is blocked by blocker_id"; part of the blocked task's aggregate.
 * The primary key serves walking from a task to its blockers (the cycle
 * check); the blocker index serves the way back (the cycle path).
 */
@Entity({ name: 'task_dependencies' })
@Check('CHK_task_dependencies_not_self', `"task_id" <> "blocker_id"`)
export class TaskDependencyEntity {
  @PrimaryColumn({ type: 'uuid' })
  taskId!: string;

  @Index('IDX_task_dependencies_blocker_id')
  @PrimaryColumn({ type: 'uuid' })
  blockerId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_task_dependencies_task' })
  task?: TaskEntity;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'blocker_id', foreignKeyConstraintName: 'FK_task_dependencies_blocker' })
  blocker?: TaskEntity;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
