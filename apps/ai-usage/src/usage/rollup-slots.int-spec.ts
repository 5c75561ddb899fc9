import type { QueryRunner } from 'typeorm';
import { formatDecimal, normalizeDecimal, parseDecimal } from '@nexus/core';
import { aiUsageV1 } from '@nexus/proto';
import type { AiInteractionEntity } from '../interactions/interaction.entity';
import { COST_SCALE } from '../prices/cost';
import {
  interaction,
  startAiUsage,
  uniqueProvider,
  type AiUsageHarness,
  type Caller,
} from '../testing/ai-usage-harness';
import { observe, percentile, type Histogram } from './latency-histogram';
import { addToRollup, ROLLUP_SLOTS, takeSlot } from './rollup';

let ai: AiUsageHarness;

beforeAll(async () => {
  ai = await startAiUsage();
});

afterAll(async () => {
  await ai.stop();
});

const D = aiUsageV1.UsageDimension;
const DAY = {
  startTime: new Date('2025-09-01T00:00:00Z'),
  endTime: new Date('2025-09-02T00:00:00Z'),
};

async function summaryOf(admin: Caller, userId: string, provider: string) {
  const { rows } = await ai.usage.getUsageSummary(
    aiUsageV1.GetUsageSummaryRequest.fromPartial({
      ...DAY,
      userId,
      provider,
      groupBy: [D.USAGE_DIMENSION_MODEL],
    }),
    admin,
  );
  return rows;
}

/** A session in an open transaction, as a recording transaction is. */
async function openSession(): Promise<QueryRunner> {
  const runner = ai.service.runtime.dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  return runner;
}

describe('usage rollup slots', () => {
  it('gives transactions started one after another distinct slots, up to ROLLUP_SLOTS of them', () => {
    const slots = Array.from({ length: ROLLUP_SLOTS }, () => takeSlot());
    expect(new Set(slots).size).toBe(ROLLUP_SLOTS);
    expect(slots.every((slot) => Number.isInteger(slot) && slot >= 0 && slot < ROLLUP_SLOTS)).toBe(
      true,
    );
  });

  it('lets two recorders of the same user, day and model add to the rollup without waiting for each other', async () => {
    const admin = ai.as('admin');
    const user = ai.as('user');
    const provider = uniqueProvider();
    const recorded = (latencyMs: number) =>
      ({
        userId: user.userId,
        module: 'chat',
        provider,
        model: 'same-model',
        startedAt: new Date('2025-09-01T10:00:00Z'),
        status: 'success',
        unpriced: true,
        inputTokens: 10,
        outputTokens: 5,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        totalTokens: 15,
        computedCost: null,
        computedCurrency: null,
        reportedCost: null,
        reportedCurrency: null,
        latencyMs,
      }) as AiInteractionEntity;

    // Two recording transactions in flight at once take consecutive slots.
    const sessions = [await openSession(), await openSession()];
    const [first, second] = sessions;
    try {
      await addToRollup(first.manager, [recorded(100)], takeSlot());
      // The first transaction still holds its row lock. With one row per key
      // the second upsert would wait for it and fail after the lock timeout.
      await second.query(`SET LOCAL lock_timeout = '2s'`);
      await addToRollup(second.manager, [recorded(300)], takeSlot());
      // Nothing is visible before commit: the summary follows committed work only.
      expect(await summaryOf(admin, user.userId, provider)).toEqual([]);
      await second.commitTransaction();
      await first.commitTransaction();
    } finally {
      for (const runner of sessions) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }

    const [row] = await summaryOf(admin, user.userId, provider);
    expect(row).toMatchObject({ interactionCount: '2', inputTokens: '20', totalTokens: '30' });
    const histogram: Histogram = new Map();
    observe(histogram, 100);
    observe(histogram, 300);
    expect(row.latencyP50Ms).toBeCloseTo(
      percentile(histogram, 0.5, { min: 100, max: 300 }) ?? -1,
      6,
    );
    const [{ slots }] = await ai.service.runtime.dataSource.query<[{ slots: number }]>(
      `SELECT count(*)::int AS slots FROM "ai_usage"."usage_daily" WHERE user_id = $1`,
      [user.userId],
    );
    expect(slots).toBe(2);
  });

  it('sums concurrent single and batch recorders of one key to exactly what committed', async () => {
    const admin = ai.as('admin');
    const user = ai.as('user');
    const provider = uniqueProvider();
    const latencies = Array.from({ length: 96 }, (_, i) => 20 + ((i * 37) % 900));
    const sample = (i: number) =>
      interaction({
        userId: user.userId,
        provider,
        requestModel: 'hot-model',
        startTime: new Date(Date.UTC(2025, 8, 1, 0, 0, i)),
        latencyMs: latencies[i],
        inputTokens: 100 + i,
        outputTokens: 10 + i,
        reportedCost: { amount: `0.00${i + 1}`, currencyCode: 'EUR' },
        status:
          i % 10 === 0
            ? aiUsageV1.InteractionStatus.INTERACTION_STATUS_ERROR
            : aiUsageV1.InteractionStatus.INTERACTION_STATUS_SUCCESS,
        errorMessage: i % 10 === 0 ? 'overloaded' : '',
      });
    // 48 single calls and 4 batches of 12, all at once, all for one rollup key.
    await Promise.all([
      ...Array.from({ length: 48 }, (_, i) =>
        ai.usage.recordInteraction({ interaction: sample(i), requestId: '' }, admin),
      ),
      ...Array.from({ length: 4 }, (_, b) =>
        ai.usage.batchRecordInteractions(
          {
            requests: Array.from({ length: 12 }, (_, i) => ({
              interaction: sample(48 + b * 12 + i),
              requestId: '',
            })),
          },
          admin,
        ),
      ),
    ]);

    const { interactions } = await ai.usage.listInteractions(
      aiUsageV1.ListInteractionsRequest.fromPartial({
        userId: user.userId,
        provider,
        pageSize: 100,
      }),
      admin,
    );
    expect(interactions).toHaveLength(96);
    const histogram: Histogram = new Map();
    for (const latency of latencies) observe(histogram, latency);
    const observed = { min: Math.min(...latencies), max: Math.max(...latencies) };
    const cost = interactions.reduce(
      (sum, i) => sum + parseDecimal(i.cost?.amount ?? '0', COST_SCALE),
      0n,
    );
    const sum = (pick: (i: aiUsageV1.AiInteraction) => number) =>
      String(interactions.reduce((total, i) => total + pick(i), 0));

    const [row] = await summaryOf(admin, user.userId, provider);
    expect(row).toMatchObject({
      model: 'hot-model',
      interactionCount: '96',
      errorCount: '10',
      inputTokens: sum((i) => i.inputTokens),
      outputTokens: sum((i) => i.outputTokens),
      costs: [{ amount: normalizeDecimal(formatDecimal(cost, COST_SCALE)), currencyCode: 'EUR' }],
    });
    // Histograms merged across slots give the percentiles of all 96 latencies.
    expect(row.latencyP50Ms).toBeCloseTo(percentile(histogram, 0.5, observed) ?? -1, 6);
    expect(row.latencyP95Ms).toBeCloseTo(percentile(histogram, 0.95, observed) ?? -1, 6);
    expect(row.latencyP99Ms).toBeCloseTo(percentile(histogram, 0.99, observed) ?? -1, 6);
  });
});
