import { etagOf } from '@nexus/db';
import type { workV1 } from '@nexus/proto';
import {
  MEMBER_ROLE_TO_PROTO,
  PRIORITY_TO_PROTO,
  PROJECT_STATUS_TO_PROTO,
} from '../shared/proto-enums';
import type { ProjectEntity } from './project.entity';

/** The API's view of a project, with its members and progress as the store loaded them. */
export function toProjectMessage(project: ProjectEntity): workV1.Project {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    status: PROJECT_STATUS_TO_PROTO[project.status],
    priority: PRIORITY_TO_PROTO[project.priority],
    startDate: project.startDate ?? '',
    endDate: project.endDate ?? '',
    budget:
      project.budgetAmount !== null && project.budgetCurrency !== null
        ? { amount: project.budgetAmount, currencyCode: project.budgetCurrency }
        : undefined,
    hourlyRate: project.hourlyRate ?? '',
    ownerId: project.ownerId,
    members: (project.members ?? []).map((member) => ({
      userId: member.userId,
      role: MEMBER_ROLE_TO_PROTO[member.role],
      addTime: member.createdAt,
    })),
    completionPercent: project.progress?.completionPercent ?? 0,
    spentHours: project.progress?.spentHours ?? '0',
    createTime: project.createdAt,
    updateTime: project.updatedAt,
    deleteTime: project.deletedAt ?? undefined,
    etag: etagOf(project),
  };
}
