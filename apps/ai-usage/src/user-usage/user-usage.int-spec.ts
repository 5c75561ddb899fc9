import { status } from '@grpc/grpc-js';
import { uuidv7 } from '@nexus/core';
import { aiUsageV1 } from '@nexus/proto';
import { EventCollector, grpcError } from '@nexus/testing';
import {
  interaction,
  startAiUsage,
  uniqueProvider,
  type AiUsageHarness,
  type Caller,
} from '../testing/ai-usage-harness';
import { ERASED_USER_ID } from '../usage/rollup';

let ai: AiUsageHarness;
let events: EventCollector;
let admin: Caller;

beforeAll(async () => {
  ai = await startAiUsage();
  events = await EventCollector.start(['nexus.ai-usage.interaction', 'nexus.ai-usage.budget']);
  admin = ai.as('admin');
});

afterAll(async () => {
  await events?.stop();
  await ai?.stop();
});

/** Records `count` interactions for `userId` (as admin), a day apart, oldest first. */
async function recordFor(userId: string, provider: string, count: number) {
  const { interactions } = await ai.usage.batchRecordInteractions(
    {
      requests: Array.from({ length: count }, (_, i) => ({
        interaction: interaction({
          userId,
          provider,
          startTime: new Date(Date.UTC(2026, 10, 1 + i, 12)),
          reportedCost: { amount: '0.5', currencyCode: 'EUR' },
        }),
        requestId: '',
      })),
    },
    admin,
  );
  return interactions;
}

const userBudget = (userId: string, currencyCode: string) =>
  ai.budgets.createBudget(
    {
      budget: aiUsageV1.Budget.fromPartial({
        scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
        userId,
        amount: { amount: '10', currencyCode },
      }),
      requestId: '',
    },
    admin,
  );

/** Every page of a user's export, with what each page held. */
async function exportAll(userId: string, pageSize: number) {
  const pages: aiUsageV1.ExportUserUsageResponse[] = [];
  let pageToken = '';
  do {
    const page = await ai.usage.exportUserUsage({ userId, pageSize, pageToken }, admin);
    pages.push(page);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return {
    pages,
    interactions: pages.flatMap((page) => page.interactions),
    budgets: pages.flatMap((page) => page.budgets),
  };
}

/** Summary rows of one provider's November 2026, by user. */
async function summaryByUser(provider: string) {
  const { rows } = await ai.usage.getUsageSummary(
    aiUsageV1.GetUsageSummaryRequest.fromPartial({
      startTime: new Date('2026-11-01T00:00:00Z'),
      endTime: new Date('2026-12-01T00:00:00Z'),
      groupBy: [aiUsageV1.UsageDimension.USAGE_DIMENSION_USER],
      provider,
    }),
    admin,
  );
  return new Map(rows.map((row) => [row.userId, row]));
}

describe('ExportUserUsage', () => {
  it("returns exactly one user's interactions, oldest first over keyset pages, and their budgets on the first page", async () => {
    const provider = uniqueProvider();
    const [userId, otherId] = [uuidv7(), uuidv7()];
    const theirs = await recordFor(userId, provider, 5);
    await recordFor(otherId, provider, 2);
    const budgets = [await userBudget(userId, 'EUR'), await userBudget(userId, 'USD')];
    await userBudget(otherId, 'EUR');

    const exported = await exportAll(userId, 2);
    expect(exported.pages).toHaveLength(3);
    expect(exported.interactions.map((i) => i.id)).toEqual(theirs.map((i) => i.id));
    expect(exported.interactions).toEqual(theirs);
    expect(exported.pages[0].budgets.map((b) => b.id).sort()).toEqual(
      budgets.map((b) => b.id).sort(),
    );
    expect(exported.pages.slice(1).flatMap((page) => page.budgets)).toEqual([]);
  });

  it('answers an empty export for a user ai-usage knows nothing of', async () => {
    expect(
      await ai.usage.exportUserUsage({ userId: uuidv7(), pageSize: 0, pageToken: '' }, admin),
    ).toEqual({ budgets: [], interactions: [], nextPageToken: '' });
  });

  it("refuses a page token of another user's export", async () => {
    const provider = uniqueProvider();
    const userId = uuidv7();
    await recordFor(userId, provider, 3);
    const first = await ai.usage.exportUserUsage({ userId, pageSize: 1, pageToken: '' }, admin);
    const error = await grpcError(
      ai.usage.exportUserUsage(
        { userId: uuidv7(), pageSize: 1, pageToken: first.nextPageToken },
        admin,
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe('EraseUserUsage', () => {
  it('erases the interactions and budgets with one deleted event each and keeps the totals under the erased-user id', async () => {
    const provider = uniqueProvider();
    const [userId, otherId] = [uuidv7(), uuidv7()];
    const theirs = await recordFor(userId, provider, 3);
    const kept = await recordFor(otherId, provider, 2);
    const budget = await userBudget(userId, 'EUR');
    const otherBudget = await userBudget(otherId, 'EUR');
    const before = await summaryByUser(provider);
    // int64 fields are decimal strings in ts-proto's output.
    expect(before.get(userId)?.interactionCount).toBe('3');

    const erased = await ai.usage.eraseUserUsage({ userId }, admin);
    // Three interactions in November, one rollup key each (a day apart).
    expect(erased).toEqual({ interactionsErased: 3, budgetsErased: 1, rollupRowsAnonymised: 3 });

    expect(await exportAll(userId, 10)).toMatchObject({ interactions: [], budgets: [] });
    for (const { id } of theirs) {
      const error = await grpcError(ai.usage.getInteraction({ id }, admin));
      expect(error.code).toBe(status.NOT_FOUND);
    }
    // Nothing of the other user went.
    expect((await exportAll(otherId, 10)).interactions).toEqual(kept);
    expect((await ai.budgets.getBudget({ id: otherBudget.id }, admin)).id).toBe(otherBudget.id);

    // Totals stay; nothing in the rollup names the user any more.
    const after = await summaryByUser(provider);
    expect(after.has(userId)).toBe(false);
    expect(after.get(ERASED_USER_ID)).toMatchObject({
      interactionCount: '3',
      totalTokens: String(3 * 1200),
      costs: [{ amount: '1.5', currencyCode: 'EUR' }],
    });
    expect(after.get(otherId)).toEqual(before.get(otherId));

    for (const { id } of theirs) {
      const [created, deleted] = await events.waitForSubject(id, 2);
      expect(created?.type).toBe('nexus.ai-usage.interaction.created');
      expect(deleted?.type).toBe('nexus.ai-usage.interaction.deleted');
      expect(deleted?.data).toMatchObject({ after: null, actor: admin.userId });
      expect(deleted?.data.before).toMatchObject({ id, userId });
    }
    const [, budgetDeleted] = await events.waitForSubject(budget.id, 2);
    expect(budgetDeleted?.type).toBe('nexus.ai-usage.budget.deleted');
  });

  it('erases nothing more and publishes nothing when repeated', async () => {
    const provider = uniqueProvider();
    const userId = uuidv7();
    const [recorded] = await recordFor(userId, provider, 1);
    await ai.usage.eraseUserUsage({ userId }, admin);
    await events.waitForSubject(recorded.id, 2);

    expect(await ai.usage.eraseUserUsage({ userId }, admin)).toEqual({
      interactionsErased: 0,
      budgetsErased: 0,
      rollupRowsAnonymised: 0,
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(events.about(recorded.id)).toHaveLength(2);
    expect((await summaryByUser(provider)).get(ERASED_USER_ID)?.interactionCount).toBe('1');
  });

  it('leaves a user who still exists free to have usage recorded again', async () => {
    const provider = uniqueProvider();
    const userId = uuidv7();
    await recordFor(userId, provider, 1);
    await ai.usage.eraseUserUsage({ userId }, admin);
    const [again] = await recordFor(userId, provider, 1);
    expect((await exportAll(userId, 10)).interactions).toEqual([again]);
  });
});

describe('who may export and erase', () => {
  it('refuses everyone but admins with PERMISSION_DENIED, erasing nothing', async () => {
    const provider = uniqueProvider();
    const owner = ai.as('user');
    await ai.usage.recordInteraction(
      { interaction: interaction({ provider }), requestId: '' },
      owner,
    );
    for (const caller of [owner, ai.as('manager'), ai.as('user'), ai.as('guest')]) {
      const exported = await grpcError(
        ai.usage.exportUserUsage({ userId: owner.userId, pageSize: 0, pageToken: '' }, caller),
      );
      expect(exported.code).toBe(status.PERMISSION_DENIED);
      const erased = await grpcError(ai.usage.eraseUserUsage({ userId: owner.userId }, caller));
      expect(erased.code).toBe(status.PERMISSION_DENIED);
    }
    expect((await exportAll(owner.userId, 10)).interactions).toHaveLength(1);
  });

  it('refuses a malformed user id with INVALID_ARGUMENT on user_id, erasing nothing', async () => {
    for (const userId of ['', 'not-a-uuid']) {
      const erased = await grpcError(ai.usage.eraseUserUsage({ userId }, admin));
      expect(erased.code).toBe(status.INVALID_ARGUMENT);
      expect(erased.fields).toEqual(['user_id']);
      const exported = await grpcError(
        ai.usage.exportUserUsage({ userId, pageSize: 0, pageToken: '' }, admin),
      );
      expect(exported.fields).toEqual(['user_id']);
    }
    const pageSize = await grpcError(
      ai.usage.exportUserUsage({ userId: uuidv7(), pageSize: -1, pageToken: '' }, admin),
    );
    expect(pageSize.fields).toEqual(['page_size']);
  });
});
