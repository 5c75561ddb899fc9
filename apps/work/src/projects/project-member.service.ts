import type { DataSource } from 'typeorm';
import type { UserDirectory } from '@nexus/clients';
import type { Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type Tx } from '@nexus/db';
import type { MemberRole } from '../shared/work-types';
import { WorkError } from '../work.errors';
import { ProjectMemberEntity } from './project-member.entity';
import type { ProjectEntity } from './project.entity';
import { projectRules } from './project.store';

/**
 * Project membership. Managers and owners manage members; only an owner (or
 * an admin) makes or unmakes owners; a project always keeps one owner.
 * A membership change is a change of the project: one project event.
 */
export class ProjectMemberService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projects: AggregateStore<ProjectEntity>,
    private readonly users: UserDirectory,
  ) {}

  async add(
    caller: Principal,
    projectId: string,
    userId: string,
    role: MemberRole,
    deadline?: Date,
  ) {
    // Asked before the transaction: no remote call while rows are locked.
    await this.users.requireActive(caller, [{ id: userId, field: 'user_id' }], deadline);
    return this.change(caller, projectId, role, async (tx, project) => {
      if (project.members?.some((member) => member.userId === userId)) {
        throw new WorkError(
          'ALREADY_MEMBER',
          `user ${userId} is already a member; use UpdateMember`,
        );
      }
      await tx.manager.insert(ProjectMemberEntity, { projectId, userId, role });
    });
  }

  async update(caller: Principal, projectId: string, userId: string, role: MemberRole) {
    return this.change(caller, projectId, role, async (tx, project) => {
      const member = requireMember(project, userId);
      if (member.role === 'owner') await this.keepAnOwner(project, userId, caller);
      await tx.manager.update(ProjectMemberEntity, { projectId, userId }, { role });
    });
  }

  async remove(caller: Principal, projectId: string, userId: string) {
    return this.change(caller, projectId, null, async (tx, project) => {
      const member = requireMember(project, userId);
      if (member.role === 'owner') await this.keepAnOwner(project, userId, caller);
      await tx.manager.delete(ProjectMemberEntity, { projectId, userId });
    });
  }

  /** Removes a user from every project (the users cascade); idempotent. */
  async removeEverywhere(tx: Tx, userId: string): Promise<number> {
    const rows = await tx.manager.findBy(ProjectMemberEntity, { userId });
    for (const row of rows) {
      await this.projects.update(tx, row.projectId, {
        withDeleted: true,
        apply: async (_project, applying) => {
          await tx.manager.delete(ProjectMemberEntity, { projectId: row.projectId, userId });
          await applying.reloadChildren();
        },
      });
    }
    return rows.length;
  }

  private async change(
    caller: Principal,
    projectId: string,
    newRole: MemberRole | null,
    apply: (tx: Tx, project: ProjectEntity) => Promise<void>,
  ): Promise<ProjectEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.projects.update(tx, projectId, {
        withDeleted: true,
        authorize: projectRules(caller, newRole === 'owner' ? 'own' : 'manage'),
        apply: async (project, applying) => {
          await apply(tx, project);
          await applying.reloadChildren();
        },
      }),
    );
  }

  /** Changing an owner needs an owner (or admin), and must leave another owner. */
  private async keepAnOwner(
    project: ProjectEntity,
    userId: string,
    caller: Principal,
  ): Promise<void> {
    const owners = (project.members ?? []).filter((member) => member.role === 'owner');
    const callerIsOwner = owners.some((member) => member.userId === caller.userId);
    if (!callerIsOwner && caller.role !== 'admin') {
      throw new WorkError('PROJECT_ROLE_REQUIRED', 'only an owner may change an owner');
    }
    if (owners.length === 1 && owners[0]?.userId === userId) {
      throw new WorkError(
        'LAST_OWNER',
        'a project keeps at least one owner; add another owner first',
      );
    }
  }
}

function requireMember(project: ProjectEntity, userId: string): ProjectMemberEntity {
  const member = project.members?.find((candidate) => candidate.userId === userId);
  if (!member)
    throw new WorkError(
      'MEMBER_NOT_FOUND',
      `user ${userId} is not a member of project ${project.id}`,
    );
  return member;
}
