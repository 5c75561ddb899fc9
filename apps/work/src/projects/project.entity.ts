import { Check, Column, Entity, Index } from 'typeorm';
import { SoftDeletableEntity } from '@nexus/db';
import {
  PRIORITIES,
  PROJECT_STATUSES,
  type Priority,
  type ProjectStatus,
} from '../shared/work-types';
import type { ProjectMemberEntity } from './project-member.entity';

/** Figures computed from a project's tasks whenever the project is read. */
export interface ProjectProgress {
  completionPercent: number;
  /** Decimal strings, summed in SQL. */
  spentHours: string;
  estimatedHours: string;
}

/**
 * A project. Money is numeric (exact), read back as a decimal string.
 * The date-order and budget-pair CHECK constraints live in the migration.
 * `members` and `progress` are not columns: the project store loads them
 * with the row, so the API message and the events always carry them.
 */
@Entity({ name: 'projects' })
@Index('IDX_projects_created_at_id', ['createdAt', 'id'])
@Index('IDX_projects_name_id', ['name', 'id'])
@Index('IDX_projects_status', ['status'])
@Index('IDX_projects_priority', ['priority'])
@Index('IDX_projects_owner_id', ['ownerId'])
@Index('IDX_projects_start_date', ['startDate'])
@Index('IDX_projects_end_date', ['endDate'])
@Check(
  'CHK_projects_dates',
  `"end_date" IS NULL OR "start_date" IS NULL OR "end_date" >= "start_date"`,
)
@Check(
  'CHK_projects_budget',
  `("budget_amount" IS NULL) = ("budget_currency" IS NULL) AND ("budget_amount" IS NULL OR "budget_amount" >= 0) AND ("hourly_rate" IS NULL OR "hourly_rate" >= 0)`,
)
export class ProjectEntity extends SoftDeletableEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'enum', enum: PROJECT_STATUSES, enumName: 'project_status', default: 'planning' })
  status!: ProjectStatus;

  @Column({ type: 'enum', enum: PRIORITIES, enumName: 'project_priority', default: 'medium' })
  priority!: Priority;

  @Column({ type: 'date', nullable: true })
  startDate!: string | null;

  @Column({ type: 'date', nullable: true })
  endDate!: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  budgetAmount!: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  budgetCurrency!: string | null;

  @Column({ type: 'numeric', precision: 12, scale: 2, nullable: true })
  hourlyRate!: string | null;

  @Column({ type: 'uuid' })
  ownerId!: string;

  members?: ProjectMemberEntity[];
  progress?: ProjectProgress;
}
