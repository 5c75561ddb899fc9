import { status } from '@grpc/grpc-js';
import { CrudRepository } from '@nexus/db';
import { applyOnce } from '@nexus/events';
import { aiUsageV1 } from '@nexus/proto';
import {
  DeadLetterReader,
  EventCollector,
  eventually,
  grpcError,
  header,
  poisonedUserDeleted,
  startUsersProcess,
  until,
  type UsersProcess,
} from '@nexus/testing';
import { interaction, startAiUsage, type AiUsageHarness } from '../testing/ai-usage-harness';
import { BudgetEntity } from '../budgets/budget.entity';
import { budgetAggregate } from '../budgets/budget.aggregate';
import { UserDeletedHandler } from './user-deleted.handler';
import { UserUsageEraser } from './user-usage-eraser';

let users: UsersProcess;
let ai: AiUsageHarness;
let events: EventCollector;
let deadLetters: DeadLetterReader;

beforeAll(async () => {
  users = await startUsersProcess();
  ai = await startAiUsage();
  events = await EventCollector.start([
    'nexus.ai-usage.interaction',
    'nexus.ai-usage.budget',
    'nexus.users.user',
  ]);
  deadLetters = await DeadLetterReader.start('ai-usage', 'nexus-ai-usage');
}, 120_000);

afterAll(async () => {
  await deadLetters?.stop();
  await events?.stop();
  await ai?.stop();
  await users?.stop();
});

/** Two interactions and a budget for a user of the users service. */
async function usageOf(userId: string) {
  const admin = ai.as('admin');
  const { interactions } = await ai.usage.batchRecordInteractions(
    {
      requests: [1, 2].map(() => ({ interaction: interaction({ userId }), requestId: '' })),
    },
    admin,
  );
  const budget = await ai.budgets.createBudget(
    {
      budget: aiUsageV1.Budget.fromPartial({
        scope: aiUsageV1.BudgetScope.BUDGET_SCOPE_USER,
        userId,
        amount: { amount: '10', currencyCode: 'EUR' },
      }),
      requestId: '',
    },
    admin,
  );
  return { interactions, budget };
}

const exportOf = (userId: string) =>
  ai.usage.exportUserUsage({ userId, pageSize: 100, pageToken: '' }, ai.as('admin'));

const hardDelete = (userId: string) =>
  users.client.deleteUser({ id: userId, etag: '', hard: true }, { token: users.admin.token });

/** The users event of `type` about a user, once the collector has it. */
async function usersEvent(userId: string, isIt: (after: unknown) => boolean) {
  await events.waitFor(() =>
    events.about(userId).some((e) => e.type === 'nexus.users.user.deleted' && isIt(e.data.after)),
  );
  const found = events
    .about(userId)
    .find((e) => e.type === 'nexus.users.user.deleted' && isIt(e.data.after));
  if (!found) throw new Error(`no deleted event of ${userId}`);
  return found;
}

describe('when a user is deleted on the users service', () => {
  it('erases the usage of a hard-deleted user with one deleted event each, once, and keeps a deactivated one', async () => {
    const [leaving, staying] = await Promise.all([users.signUp(), users.signUp()]);
    const theirs = await usageOf(leaving.user.id);
    const kept = await usageOf(staying.user.id);

    await users.deactivate(staying.user.id);
    await hardDelete(leaving.user.id);

    await eventually(
      () => exportOf(leaving.user.id),
      (exported) => exported.interactions.length === 0 && exported.budgets.length === 0,
    );
    for (const { id } of [...theirs.interactions, theirs.budget]) {
      const [, deleted] = await events.waitForSubject(id, 2);
      expect(deleted?.type).toMatch(/^nexus\.ai-usage\.(interaction|budget)\.deleted$/);
      expect(deleted?.data.after).toBeNull();
    }

    // The deactivation, applied by the same consumer, left everything in place.
    const deactivated = await usersEvent(staying.user.id, (after) => after !== null);
    const { dataSource } = ai.service.runtime;
    await until(async () => {
      const rows = await dataSource.query<unknown[]>(
        'SELECT 1 FROM "ai_usage"."processed_events" WHERE consumer = $1 AND event_id = $2',
        ['nexus-ai-usage', deactivated.id],
      );
      return rows.length === 1;
    });
    const stillThere = await exportOf(staying.user.id);
    expect(stillThere.interactions.map((i) => i.id)).toEqual(kept.interactions.map((i) => i.id));
    expect(stillThere.budgets.map((b) => b.id)).toEqual([kept.budget.id]);

    // A replay of the hard delete (another consumer name, so it is applied) changes nothing.
    const erasure = await usersEvent(leaving.user.id, (after) => after === null);
    const before = events.events.length;
    const handler = new UserDeletedHandler(
      new UserUsageEraser(
        new CrudRepository(
          dataSource,
          BudgetEntity,
          budgetAggregate,
          ai.service.runtime.pageTokens,
        ),
      ),
      ai.service.runtime.logger,
    );
    const applied = await applyOnce(
      {
        dataSource,
        groupId: 'nexus-ai-usage-replay-test',
        handle: (event, tx) => handler.handle(event, tx),
      },
      erasure,
    );
    expect(applied).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const afterReplay = events.events
      .slice(before)
      .filter((event) => event.topic.startsWith('nexus.ai-usage.'));
    expect(afterReplay).toEqual([]);
  });

  it('refuses recording for a hard-deleted user afterwards, with FAILED_PRECONDITION and nothing recorded', async () => {
    const [leaving, other] = await Promise.all([users.signUp(), users.signUp()]);
    await usageOf(leaving.user.id);
    await hardDelete(leaving.user.id);
    await eventually(
      () => exportOf(leaving.user.id),
      (exported) => exported.interactions.length === 0,
    );
    // The tombstone commits with the erasure.
    const late = await grpcError(
      ai.usage.recordInteraction(
        { interaction: interaction({ userId: leaving.user.id }), requestId: '' },
        ai.as('admin'),
      ),
    );
    expect(late).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'USER_ERASED' });

    // A batch naming them records nothing, not even the other user's item.
    const batch = await grpcError(
      ai.usage.batchRecordInteractions(
        {
          requests: [other.user.id, leaving.user.id].map((userId) => ({
            interaction: interaction({ userId }),
            requestId: '',
          })),
        },
        ai.as('admin'),
      ),
    );
    expect(batch).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'USER_ERASED' });
    expect((await exportOf(other.user.id)).interactions).toEqual([]);
    expect((await exportOf(leaving.user.id)).interactions).toEqual([]);
  });

  it('dead-letters a malformed user event to nexus.ai-usage.dlq with its reason, then applies the next one', async () => {
    const leaving = await users.signUp();
    const theirs = await usageOf(leaving.user.id);
    // Keyed by the leaving user: on the partition of their real deletion, ahead of it.
    await deadLetters.publishRaw('nexus.users.user', poisonedUserDeleted(leaving.user.id));
    await hardDelete(leaving.user.id);

    const dead = await deadLetters.waitForKey(leaving.user.id);
    expect(header(dead, 'dlq_error')).toBe(
      'MalformedEventError: ce_subject not-a-user-id is not an id',
    );
    expect(header(dead, 'dlq_topic')).toBe('nexus.users.user');
    await eventually(
      () => exportOf(leaving.user.id),
      (exported) => exported.interactions.length === 0,
    );
    const [, deleted] = await events.waitForSubject(theirs.interactions[0].id, 2);
    expect(deleted?.type).toBe('nexus.ai-usage.interaction.deleted');
  });
});
