import type { DataSource, SelectQueryBuilder } from 'typeorm';
import type { IdempotencyKey, Principal } from '@nexus/core';
import { inTransaction, type AggregateStore, type Page, type SortOrder, type Tx } from '@nexus/db';
import { WorkError } from '../work.errors';
import { checkCreateProject } from './project-access';
import { ProjectMemberEntity } from './project-member.entity';
import type { ProjectEntity } from './project.entity';
import { projectFor, projectRules } from './project.store';
import type { ListProjectsQuery, ProjectFields, ProjectUpdatableField } from './project.validation';

export type ProjectOrder = 'create_time_desc' | 'name_asc';

const ORDERS: Record<ProjectOrder, SortOrder<ProjectEntity>> = {
  create_time_desc: { key: 'create_time_desc', property: 'createdAt', direction: 'DESC' },
  name_asc: { key: 'name_asc', property: 'name', direction: 'ASC' },
};

const OPEN_TASKS_SQL = `SELECT count(*)::int AS open FROM "work"."tasks" WHERE project_id = $1 AND status NOT IN ('done', 'cancelled')`;

/** Projects: create, read, change, archive; every write one transaction with its one event. */
export class ProjectService {
  constructor(
    private readonly dataSource: DataSource,
    /** Projects with their members and progress (hydrated by the store). */
    private readonly projects: AggregateStore<ProjectEntity>,
  ) {}

  /** The caller becomes the owner and first member. */
  async create(
    caller: Principal,
    input: ProjectFields,
    key?: IdempotencyKey,
  ): Promise<ProjectEntity> {
    checkCreateProject(caller);
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      const { entity } = await this.projects.create(
        tx,
        {
          name: input.name,
          description: input.description,
          status: input.status,
          priority: input.priority,
          startDate: input.startDate,
          endDate: input.endDate,
          budgetAmount: input.budget?.amount ?? null,
          budgetCurrency: input.budget?.currencyCode ?? null,
          hourlyRate: input.hourlyRate,
          ownerId: caller.userId,
        },
        key,
        {
          children: async (project) => {
            await tx.manager.insert(ProjectMemberEntity, {
              projectId: project.id,
              userId: caller.userId,
              role: 'owner',
            });
          },
          authorizeReplay: async (project) => {
            await projectFor(tx.manager, caller, project.id, 'read');
          },
        },
      );
      return entity;
    });
  }

  async get(caller: Principal, id: string): Promise<ProjectEntity> {
    await projectFor(this.dataSource.manager, caller, id, 'read');
    return this.projects.get(id, { withDeleted: true });
  }

  async list(
    caller: Principal,
    query: ListProjectsQuery & { order: ProjectOrder },
  ): Promise<Page<ProjectEntity>> {
    const filters = {
      ...query,
      pageToken: undefined,
      pageSize: undefined,
      includeTotalSize: undefined,
      caller: caller.role === 'admin' ? null : caller.userId,
    };
    return this.projects.list({
      filter: (qb) => applyFilters(qb, filters),
      filterValues: filters,
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotalSize,
      showDeleted: query.showDeleted,
    });
  }

  /** Completing with open tasks needs `force`; budget and rate change together with their currency. */
  async update(
    caller: Principal,
    id: string,
    etag: string,
    fields: ReadonlySet<ProjectUpdatableField>,
    changes: Partial<ProjectFields>,
    force: boolean,
  ): Promise<ProjectEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.projects.update(tx, id, {
        etag,
        withDeleted: true,
        authorize: projectRules(caller, 'manage'),
        apply: async (project) => {
          if (changes.status === 'completed' && project.status !== 'completed' && !force) {
            await this.refuseOpenTasks(tx, id);
          }
          if (fields.has('name')) project.name = changes.name!;
          if (fields.has('description')) project.description = changes.description!;
          if (fields.has('status')) project.status = changes.status!;
          if (fields.has('priority')) project.priority = changes.priority!;
          if (fields.has('start_date')) project.startDate = changes.startDate ?? null;
          if (fields.has('end_date')) project.endDate = changes.endDate ?? null;
          if (fields.has('budget')) {
            project.budgetAmount = changes.budget?.amount ?? null;
            project.budgetCurrency = changes.budget?.currencyCode ?? null;
          }
          if (fields.has('hourly_rate')) project.hourlyRate = changes.hourlyRate ?? null;
          if (project.startDate && project.endDate && project.endDate < project.startDate) {
            throw new WorkError('DATES_OUT_OF_ORDER', 'end_date must not be before start_date', [
              {
                field: 'project.end_date',
                description: 'must not be before start_date',
                reason: 'DATES_OUT_OF_ORDER',
              },
            ]);
          }
        },
      }),
    );
  }

  /** Archives (soft delete); owners and admins. */
  async archive(caller: Principal, id: string, etag: string): Promise<ProjectEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.projects.update(tx, id, {
        etag,
        withDeleted: true,
        verb: 'deleted',
        authorize: projectRules(caller, 'own'),
        apply: (project) => {
          project.deletedAt = new Date();
        },
      }),
    );
  }

  /** Takes an archived project back; owners and admins. */
  async restore(caller: Principal, id: string): Promise<ProjectEntity> {
    return inTransaction(this.dataSource, caller.userId, (tx) =>
      this.projects.update(tx, id, {
        withDeleted: true,
        verb: 'restored',
        // Access first: a stranger must not learn whether the project is archived.
        authorize: projectRules(caller, 'own', { archived: 'allow' }),
        apply: (project) => {
          if (project.deletedAt === null) {
            throw new WorkError('NOT_ARCHIVED', `project ${id} is not archived`);
          }
          project.deletedAt = null;
        },
      }),
    );
  }

  private async refuseOpenTasks(tx: Tx, projectId: string): Promise<void> {
    const [row] = await tx.manager.query<{ open: number }[]>(OPEN_TASKS_SQL, [projectId]);
    if (row && row.open > 0) {
      throw new WorkError(
        'OPEN_TASKS',
        `project ${projectId} has ${row.open} open task(s); finish or cancel them, or complete with force`,
      );
    }
  }
}

type ProjectFilters = Omit<ListProjectsQuery, 'pageToken' | 'pageSize' | 'includeTotalSize'> & {
  caller: string | null;
};

function applyFilters(qb: SelectQueryBuilder<ProjectEntity>, filters: ProjectFilters): void {
  // Non-admins see the projects they belong to (served by IDX_project_members_user_id).
  if (filters.caller !== null) {
    qb.andWhere(
      'e.id IN (SELECT m.project_id FROM "work"."project_members" m WHERE m.user_id = :caller)',
      {
        caller: filters.caller,
      },
    );
  }
  if (filters.memberId) {
    qb.andWhere(
      'e.id IN (SELECT m2.project_id FROM "work"."project_members" m2 WHERE m2.user_id = :memberId)',
      {
        memberId: filters.memberId,
      },
    );
  }
  if (filters.status !== undefined) qb.andWhere('e.status = :status', { status: filters.status });
  if (filters.priority !== undefined)
    qb.andWhere('e.priority = :priority', { priority: filters.priority });
  if (filters.ownerId) qb.andWhere('e.owner_id = :ownerId', { ownerId: filters.ownerId });
  if (filters.startDateFrom)
    qb.andWhere('e.start_date >= :startDateFrom', { startDateFrom: filters.startDateFrom });
  if (filters.startDateTo)
    qb.andWhere('e.start_date <= :startDateTo', { startDateTo: filters.startDateTo });
  if (filters.endDateFrom)
    qb.andWhere('e.end_date >= :endDateFrom', { endDateFrom: filters.endDateFrom });
  if (filters.endDateTo) qb.andWhere('e.end_date <= :endDateTo', { endDateTo: filters.endDateTo });
}
