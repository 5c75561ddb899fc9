import { status } from '@grpc/grpc-js';
import { aiUsageV1 } from '@nexus/proto';
import { EventCollector, grpcError } from '@nexus/testing';
import {
  interaction,
  startAiUsage,
  uniqueProvider,
  type AiUsageHarness,
  type Caller,
} from '../testing/ai-usage-harness';

let ai: AiUsageHarness;
let admin: Caller;
let events: EventCollector;

beforeAll(async () => {
  ai = await startAiUsage();
  admin = ai.as('admin');
  events = await EventCollector.start(['nexus.ai-usage.budget']);
});

afterAll(async () => {
  await events.stop();
  await ai.stop();
});

const userBudget = (userId: string, amount: string, caller = admin) =>
  ai.budgets.createBudget(
    {
      budget: aiUsageV1.Budget.fromPartial({
        scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
        userId,
        amount: { amount, currencyCode: 'USD' },
      }),
      requestId: '',
    },
    caller,
  );

/** One interaction costing exactly `cost` USD (reported by the caller). */
const spend = (cost: string, startTime: Date, provider = uniqueProvider()) => ({
  interaction: interaction({
    provider,
    startTime,
    reportedCost: { amount: cost, currencyCode: 'USD' },
  }),
  requestId: '',
});

describe('budgets', () => {
  it('emits budget.exceeded once per month when spend goes over the amount', async () => {
    const user = ai.as('user');
    const budget = await userBudget(user.userId, '1');
    const june = new Date('2025-06-10T00:00:00Z');
    await ai.usage.recordInteraction(spend('0.6', june), user);
    await ai.usage.recordInteraction(spend('0.4', june), user); // exactly at the amount
    expect((await ai.budgets.getBudget({ id: budget.id }, user)).lastExceededPeriod).toBe('');
    await ai.usage.recordInteraction(spend('0.01', june), user); // over
    await ai.usage.recordInteraction(spend('5', june), user); // still over: no second event
    await ai.usage.recordInteraction(spend('2', new Date('2025-07-01T00:00:00Z')), user);
    const exceeded = () =>
      events.about(budget.id).filter((e) => e.type === 'nexus.ai-usage.budget.exceeded');
    await events.waitFor(() => exceeded().length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(exceeded().map((e) => e.data.after?.lastExceededPeriod)).toEqual(['2025-06', '2025-07']);
  });

  it('fires exactly once when concurrent recorders cross the budget together', async () => {
    const user = ai.as('user');
    const budget = await userBudget(user.userId, '1');
    const august = new Date('2025-08-05T00:00:00Z');
    await Promise.all(
      Array.from({ length: 12 }, () => ai.usage.recordInteraction(spend('0.1', august), user)),
    );
    await events.waitFor(() =>
      events.about(budget.id).some((e) => e.type === 'nexus.ai-usage.budget.exceeded'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      events.about(budget.id).filter((e) => e.type === 'nexus.ai-usage.budget.exceeded'),
    ).toHaveLength(1);
  });

  it('counts a module budget across users, in its own currency only', async () => {
    const module = aiUsageV1.Module.MODULE_FILES;
    const budget = await ai.budgets.createBudget(
      {
        budget: aiUsageV1.Budget.fromPartial({
          scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_MODULE,
          module,
          amount: { amount: '1000000', currencyCode: 'JPY' },
        }),
        requestId: '',
      },
      admin,
    );
    const september = new Date('2025-09-01T00:00:00Z');
    const inYen = (caller: Caller, amount: string, currencyCode: string) =>
      ai.usage.recordInteraction(
        {
          interaction: interaction({
            module,
            startTime: september,
            reportedCost: { amount, currencyCode },
          }),
          requestId: '',
        },
        caller,
      );
    await inYen(ai.as('user'), '2000000', 'USD');
    await inYen(ai.as('user'), '600000', 'JPY');
    await inYen(ai.as('user'), '600000', 'JPY');
    const [exceeded] = await events
      .waitFor(() =>
        events.about(budget.id).some((e) => e.type === 'nexus.ai-usage.budget.exceeded'),
      )
      .then(() => events.about(budget.id).filter((e) => e.type.endsWith('.exceeded')));
    expect(exceeded?.data.after?.lastExceededPeriod).toBe('2025-09');
  });

  it('lets only admins set budgets, one per user and currency, and users read their own', async () => {
    const user = ai.as('user');
    const denied = await grpcError(userBudget(user.userId, '1', ai.as('manager')));
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const budget = await userBudget(user.userId, '1');
    const twice = await grpcError(userBudget(user.userId, '2'));
    expect(twice).toMatchObject({ code: status.ALREADY_EXISTS, reason: 'BUDGET_EXISTS' });
    const invalid = await grpcError(
      ai.budgets.createBudget(
        {
          budget: aiUsageV1.Budget.fromPartial({
            scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
            amount: { amount: '0', currencyCode: 'USD' },
          }),
          requestId: '',
        },
        admin,
      ),
    );
    expect(invalid.fields.sort()).toEqual(['budget.amount.amount', 'budget.user_id']);
    expect(
      (
        await ai.budgets.listBudgets(aiUsageV1.ListBudgetsRequest.fromPartial({}), user)
      ).budgets.map((b) => b.id),
    ).toEqual([budget.id]);
    const other = await grpcError(ai.budgets.getBudget({ id: budget.id }, ai.as('user')));
    expect(other.code).toBe(status.PERMISSION_DENIED);
    const updated = await ai.budgets.updateBudget(
      {
        budget: aiUsageV1.Budget.fromPartial({
          id: budget.id,
          etag: budget.etag,
          amount: { amount: '2.5', currencyCode: 'USD' },
        }),
        updateMask: ['amount'],
      },
      admin,
    );
    expect(updated.amount).toEqual({ amount: '2.5', currencyCode: 'USD' });
    await ai.budgets.deleteBudget({ id: budget.id, etag: updated.etag }, admin);
    const types = (await events.waitForSubject(budget.id, 3)).map((e) => e.type);
    expect(types).toEqual([
      'nexus.ai-usage.budget.created',
      'nexus.ai-usage.budget.updated',
      'nexus.ai-usage.budget.deleted',
    ]);
  });
});
