import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { BaseEntity, SearchVectorColumn, searchVectorSql } from '@nexus/db';
import { ProjectEntity } from '../projects/project.entity';
import { PRIORITIES, TASK_STATUSES, type Priority, type TaskStatus } from '../shared/work-types';

/**
 * What SearchTasks matches: the title, then the description, then the tags
 * (`work.search_tags`, an IMMUTABLE array_to_string created by the
 * migration: a generated column may only call immutable functions).
 */
export const TASK_SEARCH = searchVectorSql('work', [
  { sql: '"title"', weight: 'A' },
  { sql: '"description"', weight: 'B' },
  { sql: '"work"."search_tags"("tags")', weight: 'C' },
]);

/**
 * A task. `dueSort` is the keyset column of the due-date order: due_date is
 * nullable but a keyset cursor needs a NOT NULL column, so a trigger (in the
 * migration) keeps due_sort = coalesce(due_date, '9999-12-31'), which also
 * sorts undated tasks last. The service never writes it.
 * `blockedByTaskIds` is not a column: the task store loads it from
 * task_dependencies with the row.
 */
@Entity({ name: 'tasks' })
@Index('IDX_tasks_created_at_id', ['createdAt', 'id'])
@Index('IDX_tasks_due_sort_id', ['dueSort', 'id'])
@Index('IDX_tasks_priority_id', ['priority', 'id'])
@Index('IDX_tasks_project_created_at_id', ['projectId', 'createdAt', 'id'])
@Index('IDX_tasks_project_due_sort_id', ['projectId', 'dueSort', 'id'])
@Index('IDX_tasks_project_priority_id', ['projectId', 'priority', 'id'])
@Index('IDX_tasks_assignee_due_sort_id', ['assigneeId', 'dueSort', 'id'])
@Index('IDX_tasks_status', ['status'])
@Index('IDX_tasks_parent_task_id', ['parentTaskId'])
@Index('IDX_tasks_tags', { synchronize: false })
// GIN indexes of SearchTasks, created by the migration (TypeORM cannot say USING gin).
@Index('IDX_tasks_search', { synchronize: false })
@Index('IDX_tasks_title_trgm', { synchronize: false })
@Check(
  'CHK_tasks_dates',
  `"due_date" IS NULL OR "start_date" IS NULL OR "due_date" >= "start_date"`,
)
@Check(
  'CHK_tasks_hours',
  `("estimated_hours" IS NULL OR "estimated_hours" >= 0) AND "actual_hours" >= 0`,
)
export class TaskEntity extends BaseEntity {
  @Column({ type: 'uuid' })
  projectId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_tasks_project' })
  project?: ProjectEntity;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'enum', enum: TASK_STATUSES, enumName: 'task_status', default: 'todo' })
  status!: TaskStatus;

  @Column({ type: 'enum', enum: PRIORITIES, enumName: 'task_priority', default: 'medium' })
  priority!: Priority;

  @Column({ type: 'uuid', nullable: true })
  assigneeId!: string | null;

  @Column({ type: 'uuid' })
  reporterId!: string;

  @Column({ type: 'numeric', precision: 8, scale: 2, nullable: true })
  estimatedHours!: string | null;

  /** Always the sum of the task's time entries (kept in the same transaction). */
  @Column({ type: 'numeric', precision: 10, scale: 2, default: 0 })
  actualHours!: string;

  @Column({ type: 'date', nullable: true })
  startDate!: string | null;

  @Column({ type: 'date', nullable: true })
  dueDate!: string | null;

  @Column({ type: 'date', default: () => "'9999-12-31'", insert: false, update: false })
  dueSort!: string;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'text', array: true, default: '{}' })
  tags!: string[];

  @Column({ type: 'uuid', nullable: true })
  parentTaskId!: string | null;

  @ManyToOne(() => TaskEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_task_id', foreignKeyConstraintName: 'FK_tasks_parent' })
  parent?: TaskEntity;

  @SearchVectorColumn(TASK_SEARCH)
  readonly searchVector?: unknown;

  blockedByTaskIds?: string[];
}
