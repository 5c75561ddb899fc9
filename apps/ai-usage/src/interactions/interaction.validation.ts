import { z } from 'zod';
import { decimal, timestamp } from '@nexus/core';
import { pageSizeSchema, pageTokenSchema } from '@nexus/grpc';
import { aiUsageV1 } from '@nexus/proto';
import {
  COST_COLUMN,
  currencyCode,
  metadataSchema,
  moduleSchema,
  name,
  operationSchema,
  optionalName,
  optionalUuid,
  required,
  requestId,
  statusSchema,
  uuid,
} from '../validation';

const MAX_TEXT = 262_144;
const INT32_MAX = 2_147_483_647;
const tokens = z.number().int().min(0, 'must not be negative');
const text = z.string().max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);

const interaction = z
  .object(
    {
      userId: optionalUuid,
      module: moduleSchema,
      provider: name,
      requestModel: name,
      responseModel: optionalName.regex(/^[^\s*]*$/, 'must have no spaces or "*"'),
      operation: operationSchema,
      prompt: text,
      response: text,
      inputTokens: tokens,
      outputTokens: tokens,
      cachedInputTokens: tokens,
      reasoningTokens: tokens,
      reportedCost: z.object({ amount: decimal(COST_COLUMN), currencyCode }).optional(),
      latencyMs: z.number().int().min(0, 'must not be negative'),
      timeToFirstTokenMs: z.number().int().min(0, 'must not be negative').optional(),
      status: statusSchema,
      errorMessage: z.string().max(4000, 'must be at most 4000 characters'),
      conversationId: z.string().max(200, 'must be at most 200 characters'),
      traceId: z.string().max(64, 'must be at most 64 characters'),
      metadata: metadataSchema.optional().transform((value) => value ?? {}),
      startTime: timestamp.optional(),
    },
    required,
  )
  .superRefine((value, ctx) => {
    if (value.cachedInputTokens > value.inputTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['cachedInputTokens'],
        message: 'must not exceed input_tokens (which include cached ones)',
      });
    }
    if (value.reasoningTokens > value.outputTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['reasoningTokens'],
        message: 'must not exceed output_tokens (which include reasoning ones)',
      });
    }
    // total_tokens is an int32 on the wire and in the table: the sum must fit too.
    if (value.inputTokens + value.outputTokens > INT32_MAX) {
      ctx.addIssue({
        code: 'custom',
        path: ['outputTokens'],
        message: `input_tokens + output_tokens must not exceed ${INT32_MAX}`,
      });
    }
    if (value.status === 'success' && value.errorMessage) {
      ctx.addIssue({
        code: 'custom',
        path: ['errorMessage'],
        message: 'must be empty unless the status is INTERACTION_STATUS_ERROR',
      });
    }
  });

export type InteractionInput = z.output<typeof interaction>;

export const recordInteractionSchema = z.object({ interaction, requestId });

export const batchRecordSchema = z.object({
  requests: z
    .array(recordInteractionSchema)
    .min(1, 'must hold at least one request')
    .max(1000, 'must hold at most 1000 requests'),
});

export const idSchema = z.object({ id: uuid });

export const listInteractionsSchema = z
  .object({
    pageSize: pageSizeSchema,
    pageToken: pageTokenSchema,
    userId: optionalUuid,
    module: moduleSchema.optional(),
    model: optionalName,
    provider: optionalName,
    status: statusSchema.optional(),
    startTime: timestamp.optional(),
    endTime: timestamp.optional(),
    orderBy: z
      .enum(aiUsageV1.InteractionOrderBy, 'must be an InteractionOrderBy value')
      .refine(
        (value) => value !== aiUsageV1.InteractionOrderBy.UNRECOGNIZED,
        'must be an InteractionOrderBy value',
      ),
    includeTotalSize: z.boolean(),
  })
  .refine((value) => !value.startTime || !value.endTime || value.startTime < value.endTime, {
    path: ['endTime'],
    message: 'must be after start_time',
  });
