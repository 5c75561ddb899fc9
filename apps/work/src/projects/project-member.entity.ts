import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { MEMBER_ROLES, type MemberRole } from '../shared/work-types';
import { ProjectEntity } from './project.entity';

/** A user's role in a project; part of the Project aggregate (its changes are project events). */
@Entity({ name: 'project_members' })
export class ProjectMemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  projectId!: string;

  /** Serves "projects of user X" (ListProjects member filter, access checks, the user cascade). */
  @Index('IDX_project_members_user_id')
  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'FK_project_members_project' })
  project?: ProjectEntity;

  @Column({ type: 'enum', enum: MEMBER_ROLES, enumName: 'member_role' })
  role!: MemberRole;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
