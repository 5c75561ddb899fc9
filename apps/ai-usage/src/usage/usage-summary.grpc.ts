import { z } from 'zod';
import { timestamp, validate } from '@nexus/core';
import type { RpcKit } from '@nexus/grpc';
import { aiUsageV1 } from '@nexus/proto';
import { MODULE_TO_PROTO } from '../enums';
import type { Module } from '../interactions/interaction.entity';
import { moduleSchema, optionalName, optionalUuid, required } from '../validation';
import type { Dimension, SummaryRow, UsageSummaryService } from './usage-summary.service';

const DIMENSION_OF_PROTO = new Map<number, Dimension>([
  [aiUsageV1.UsageDimension.USAGE_DIMENSION_USER, 'user'],
  [aiUsageV1.UsageDimension.USAGE_DIMENSION_MODULE, 'module'],
  [aiUsageV1.UsageDimension.USAGE_DIMENSION_PROVIDER, 'provider'],
  [aiUsageV1.UsageDimension.USAGE_DIMENSION_MODEL, 'model'],
  [aiUsageV1.UsageDimension.USAGE_DIMENSION_DAY, 'day'],
]);

const MAX_DAYS = 400;

const dimension = z.number().transform((value, ctx) => {
  const named = DIMENSION_OF_PROTO.get(value);
  if (!named) ctx.addIssue({ code: 'custom', message: 'must be a UsageDimension value' });
  return named as Dimension;
});

export const usageSummarySchema = z
  .object(
    {
      startTime: timestamp.optional().refine((value) => value !== undefined, 'is required'),
      endTime: timestamp.optional().refine((value) => value !== undefined, 'is required'),
      groupBy: z
        .array(dimension)
        .refine((values) => new Set(values).size === values.length, 'must not repeat a dimension'),
      userId: optionalUuid,
      module: moduleSchema.optional(),
      provider: optionalName,
      model: optionalName,
    },
    required,
  )
  .superRefine((value, ctx) => {
    if (!value.startTime || !value.endTime) return;
    if (value.endTime <= value.startTime) {
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'must be after start_time' });
    } else if (value.endTime.getTime() - value.startTime.getTime() > MAX_DAYS * 86_400_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['endTime'],
        message: `must be at most ${MAX_DAYS} days after start_time`,
      });
    }
  });

function toRowMessage(row: SummaryRow): aiUsageV1.UsageSummaryRow {
  const count = Number(row.interactionCount);
  return {
    userId: row.dimensions.user ?? '',
    module: row.dimensions.module
      ? MODULE_TO_PROTO[row.dimensions.module as Module]
      : aiUsageV1.Module.MODULE_UNSPECIFIED,
    provider: row.dimensions.provider ?? '',
    model: row.dimensions.model ?? '',
    day: row.dimensions.day ?? '',
    interactionCount: row.interactionCount.toString(),
    errorCount: row.errorCount.toString(),
    errorRate: count === 0 ? 0 : Number(row.errorCount) / count,
    inputTokens: row.inputTokens.toString(),
    outputTokens: row.outputTokens.toString(),
    cachedInputTokens: row.cachedInputTokens.toString(),
    reasoningTokens: row.reasoningTokens.toString(),
    totalTokens: row.totalTokens.toString(),
    costs: [...row.costs]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([currencyCode, amount]) => ({ amount, currencyCode })),
    unpricedCount: row.unpricedCount.toString(),
    latencyP50Ms: row.latency?.p50 ?? 0,
    latencyP95Ms: row.latency?.p95 ?? 0,
    latencyP99Ms: row.latency?.p99 ?? 0,
  };
}

/** GetUsageSummary of nexus.aiusage.v1.AiUsageService. */
export function summaryHandler(rpc: RpcKit, summaries: UsageSummaryService) {
  return rpc.unary(
    'GetUsageSummary',
    async (
      request: aiUsageV1.GetUsageSummaryRequest,
      ctx,
    ): Promise<aiUsageV1.GetUsageSummaryResponse> => {
      const caller = ctx.caller;
      const query = validate(usageSummarySchema, request);
      const summary = await summaries.summarize(caller, {
        ...query,
        startTime: query.startTime!,
        endTime: query.endTime!,
      });
      return {
        rows: summary.rows.map(toRowMessage),
        startTime: new Date(`${summary.startDay}T00:00:00Z`),
        endTime: new Date(`${summary.endDay}T00:00:00Z`),
      };
    },
  );
}
