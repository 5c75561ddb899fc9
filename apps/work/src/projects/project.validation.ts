import { z } from 'zod';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import { workV1 } from '@nexus/proto';
import type { Priority, ProjectStatus } from '../shared/work-types';
import {
  datesInOrder,
  etag,
  memberRole,
  money,
  optionalDate,
  optionalDecimal,
  priority,
  projectStatus,
  required,
  requestId,
  uuid,
  withDefault,
} from '../shared/validators';

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
const description = z.string().max(10_000, 'must be at most 10000 characters');
const hourlyRate = optionalDecimal({ precision: 12, scale: 2 }, { max: '1000000' });

export interface ProjectFields {
  name: string;
  description: string;
  status: ProjectStatus;
  priority: Priority;
  startDate: string | null;
  endDate: string | null;
  budget: { amount: string; currencyCode: string } | null;
  hourlyRate: string | null;
}

const endNotBeforeStart = {
  message: 'must not be before start_date',
  path: ['endDate'],
};

export const createProjectSchema = z.object({
  project: z
    .object(
      {
        name,
        description,
        status: withDefault(projectStatus, workV1.ProjectStatus.PROJECT_STATUS_PLANNING),
        priority: withDefault(priority, workV1.Priority.PRIORITY_MEDIUM),
        startDate: optionalDate,
        endDate: optionalDate,
        budget: money,
        hourlyRate,
      },
      required,
    )
    .refine((p) => datesInOrder(p.startDate, p.endDate), endNotBeforeStart),
  requestId,
});

const updatableFields = {
  name: z.object({ name }),
  description: z.object({ description }),
  status: z.object({ status: projectStatus }),
  priority: z.object({ priority }),
  start_date: z.object({ startDate: optionalDate }),
  end_date: z.object({ endDate: optionalDate }),
  budget: z.object({ budget: money }),
  hourly_rate: z.object({ hourlyRate }),
};
export const PROJECT_UPDATABLE = Object.keys(updatableFields) as (keyof typeof updatableFields)[];
export type ProjectUpdatableField = keyof typeof updatableFields;

/** The named fields of `project`, validated; the others are ignored as AIP-134 says. */
export function updateProjectSchema(
  paths: ReadonlySet<ProjectUpdatableField>,
): z.ZodType<{ project: { id: string; etag: string } & Partial<ProjectFields>; force: boolean }> {
  const fields = [...paths].reduce<z.ZodObject>(
    (schema, path) => schema.extend(updatableFields[path].shape),
    z.object({ id: uuid, etag }),
  );
  return z.object({ project: fields, force: z.boolean() }, required) as unknown as z.ZodType<{
    project: { id: string; etag: string } & Partial<ProjectFields>;
    force: boolean;
  }>;
}

export const idSchema = z.object({ id: uuid });
export const deleteProjectSchema = z.object({ id: uuid, etag });
export const projectIdSchema = z.object({ projectId: uuid });

export const memberSchema = z.object({
  projectId: uuid,
  userId: uuid,
  role: memberRole,
});
export const removeMemberSchema = z.object({ projectId: uuid, userId: uuid });

const optionalId = z.union([z.literal(''), uuid]).transform((value) => value || undefined);
const optionalBound = optionalDate.transform((value) => value ?? undefined);

export const listProjectsSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  status: projectStatus.optional(),
  priority: priority.optional(),
  ownerId: optionalId,
  memberId: optionalId,
  startDateFrom: optionalBound,
  startDateTo: optionalBound,
  endDateFrom: optionalBound,
  endDateTo: optionalBound,
  showDeleted: z.boolean(),
  orderBy: z
    .enum(workV1.ProjectOrderBy, 'must be a ProjectOrderBy value')
    .refine(
      (value) => value !== workV1.ProjectOrderBy.UNRECOGNIZED,
      'must be a ProjectOrderBy value',
    ),
  includeTotalSize: z.boolean(),
});
export type ListProjectsQuery = z.output<typeof listProjectsSchema>;
