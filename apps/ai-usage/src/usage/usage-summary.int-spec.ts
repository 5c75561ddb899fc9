import { status } from '@grpc/grpc-js';
import { aiUsageV1 } from '@nexus/proto';
import { grpcError } from '@nexus/testing';
import {
  interaction,
  startAiUsage,
  uniqueProvider,
  type AiUsageHarness,
} from '../testing/ai-usage-harness';

let ai: AiUsageHarness;

beforeAll(async () => {
  ai = await startAiUsage();
});

afterAll(async () => {
  await ai.stop();
});

const D = aiUsageV1.UsageDimension;

describe('GetUsageSummary', () => {
  it('matches a hand-computed set grouped by model and day', async () => {
    const admin = ai.as('admin');
    const provider = uniqueProvider();
    await ai.prices.createModelPrice(
      {
        modelPrice: aiUsageV1.ModelPrice.fromPartial({
          provider,
          model: 'alpha',
          inputPricePerMillion: '1',
          outputPricePerMillion: '2',
          currencyCode: 'USD',
          effectiveTime: new Date('2025-01-01T00:00:00Z'),
        }),
        requestId: '',
      },
      admin,
    );
    const alice = ai.as('user');
    const bob = ai.as('user');
    const at = (iso: string) => new Date(iso);
    const rows = [
      // alpha, 2025-07-01: latencies 100, 200, 300, 400; one error.
      [alice, 'alpha', at('2025-07-01T01:00:00Z'), 100, 1000, 500, false],
      [alice, 'alpha', at('2025-07-01T02:00:00Z'), 200, 1000, 500, false],
      [bob, 'alpha', at('2025-07-01T03:00:00Z'), 300, 2000, 0, true],
      [bob, 'alpha', at('2025-07-01T23:59:59Z'), 400, 0, 1000, false],
      // alpha, 2025-07-02
      [alice, 'alpha', at('2025-07-02T00:00:00Z'), 50, 4000, 0, false],
      // beta (no price), 2025-07-01
      [bob, 'beta', at('2025-07-01T12:00:00Z'), 1000, 10, 10, false],
      // outside the range
      [alice, 'alpha', at('2025-07-03T00:00:00Z'), 5, 1, 1, false],
    ] as const;
    await ai.usage.batchRecordInteractions(
      {
        requests: rows.map(
          ([caller, model, startTime, latencyMs, inputTokens, outputTokens, error]) => ({
            interaction: interaction({
              userId: caller.userId,
              provider,
              requestModel: model,
              startTime,
              latencyMs,
              inputTokens,
              outputTokens,
              status: error
                ? aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR
                : aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
              errorMessage: error ? 'boom' : '',
            }),
            requestId: '',
          }),
        ),
      },
      admin,
    );
    const summary = await ai.usage.getUsageSummary(
      aiUsageV1.GetUsageSummaryRequest.fromPartial({
        startTime: new Date('2025-07-01T10:00:00Z'),
        endTime: new Date('2025-07-03T00:00:00Z'),
        groupBy: [D.USAGE_DIMENSION_MODEL, D.USAGE_DIMENSION_DAY],
        provider,
      }),
      ai.as('manager'),
    );
    expect(summary.startTime).toEqual(new Date('2025-07-01T00:00:00Z'));
    expect(summary.endTime).toEqual(new Date('2025-07-03T00:00:00Z'));
    expect(
      summary.rows.map((row) => ({
        model: row.model,
        day: row.day,
        n: row.interactionCount,
        errorRate: row.errorRate,
        input: row.inputTokens,
        output: row.outputTokens,
        costs: row.costs,
        unpriced: row.unpricedCount,
      })),
    ).toEqual([
      // 4000 input × 1 + 2000 output × 2 per million = 0.008
      {
        model: 'alpha',
        day: '2025-07-01',
        n: '4',
        errorRate: 0.25,
        input: '4000',
        output: '2000',
        costs: [{ amount: '0.008', currencyCode: 'USD' }],
        unpriced: '0',
      },
      {
        model: 'alpha',
        day: '2025-07-02',
        n: '1',
        errorRate: 0,
        input: '4000',
        output: '0',
        costs: [{ amount: '0.004', currencyCode: 'USD' }],
        unpriced: '0',
      },
      {
        model: 'beta',
        day: '2025-07-01',
        n: '1',
        errorRate: 0,
        input: '10',
        output: '10',
        costs: [],
        unpriced: '1',
      },
    ]);
    const alpha1 = summary.rows[0];
    // percentile_cont over 100, 200, 300, 400: p50 250, p95 385, p99 397; buckets are 10% wide.
    expect(alpha1.latencyP50Ms).toBeGreaterThan(250 * 0.9);
    expect(alpha1.latencyP50Ms).toBeLessThan(250 * 1.1);
    expect(alpha1.latencyP95Ms).toBeGreaterThan(385 * 0.9);
    expect(alpha1.latencyP99Ms).toBeLessThanOrEqual(400);
    expect(summary.rows[2]).toMatchObject({ latencyP50Ms: 1000, latencyP99Ms: 1000 });
  });

  it('groups by user and limits users to their own usage', async () => {
    const provider = uniqueProvider();
    const alice = ai.as('user');
    const bob = ai.as('user');
    const startTime = new Date('2025-08-01T00:00:00Z');
    for (const caller of [alice, alice, bob]) {
      await ai.usage.recordInteraction(
        {
          interaction: interaction({ provider, startTime, inputTokens: 7, outputTokens: 3 }),
          requestId: '',
        },
        caller,
      );
    }
    const request = aiUsageV1.GetUsageSummaryRequest.fromPartial({
      startTime,
      endTime: new Date('2025-08-02T00:00:00Z'),
      groupBy: [D.USAGE_DIMENSION_USER],
      provider,
    });
    const everyone = await ai.usage.getUsageSummary(request, ai.as('admin'));
    expect(Object.fromEntries(everyone.rows.map((row) => [row.userId, row.totalTokens]))).toEqual({
      [alice.userId]: '20',
      [bob.userId]: '10',
    });
    const own = await ai.usage.getUsageSummary(request, alice);
    expect(own.rows.map((row) => row.userId)).toEqual([alice.userId]);
    const denied = await grpcError(
      ai.usage.getUsageSummary({ ...request, userId: bob.userId }, alice),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
  });

  it('requires a range and refuses repeated dimensions', async () => {
    const error = await grpcError(
      ai.usage.getUsageSummary(
        aiUsageV1.GetUsageSummaryRequest.fromPartial({
          groupBy: [D.USAGE_DIMENSION_DAY, D.USAGE_DIMENSION_DAY],
        }),
        ai.as('admin'),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.fields.sort()).toEqual(['end_time', 'group_by', 'start_time']);
  });
});
