import { z } from 'zod';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import { uuid } from '../validation';

export const exportUserUsageSchema = z.object({
  userId: uuid,
  pageSize: pageSizeSchema,
  pageToken: pageTokenSchema,
});

export const eraseUserUsageSchema = z.object({ userId: uuid });
