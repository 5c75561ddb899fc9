import { z } from 'zod';
import { decimal } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import {
  BUDGET_COLUMN,
  currencyCode,
  moduleSchema,
  optionalUuid,
  required,
  requestId,
  scopeSchema,
  uuid,
} from '../validation';

const amount = z.object(
  {
    amount: decimal(BUDGET_COLUMN, { sign: 'positive' }),
    currencyCode,
  },
  required,
);

export const createBudgetSchema = z.object({
  budget: z
    .object(
      {
        scope: scopeSchema,
        userId: optionalUuid,
        module: z
          .number()
          .transform((value) => (value === 0 ? undefined : value))
          .pipe(moduleSchema.optional()),
        amount,
      },
      required,
    )
    .superRefine((value, ctx) => {
      if (value.scope === 'user' && (!value.userId || value.module)) {
        ctx.addIssue({
          code: 'custom',
          path: ['userId'],
          message: 'a user budget names a user_id and no module',
        });
      }
      if (value.scope === 'module' && (!value.module || value.userId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['module'],
          message: 'a module budget names a module and no user_id',
        });
      }
    }),
  requestId,
});

export const UPDATABLE = ['amount'] as const;

export const updateBudgetSchema = z.object({
  budget: z.object({ id: uuid, etag: z.string().max(64), amount }, required),
});

export const listBudgetsSchema = z.object({
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
  scope: scopeSchema.optional(),
  userId: optionalUuid,
  module: moduleSchema.optional(),
  includeTotalSize: z.boolean(),
});

export const deleteBudgetSchema = z.object({ id: uuid, etag: z.string().max(64) });
