import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { normalizeDecimal, type IdempotencyKey, type Principal } from '@nexus/core';
import { inTransaction, type CrudRepository, type Page, type SortOrder } from '@nexus/db';
import { AiUsageError } from '../ai-usage.errors';
import { checkBudgets } from '../budgets/budget-check';
import type { BudgetEntity } from '../budgets/budget.entity';
import { computeCost } from '../prices/cost';
import { findPrices, type MatchedPrice } from '../prices/price-lookup';
import { addToRollup } from '../usage/rollup';
import { erasedAmong } from '../user-usage/erased-user.store';
import { checkReadInteraction, checkRecord, readableUser } from './interaction-access';
import type { AiInteractionEntity, InteractionStatus, Module } from './interaction.entity';
import type { InteractionInput } from './interaction.validation';
import { insertInteractions } from './interaction.store';
import { captureText } from './prompt-capture';

export interface InteractionFilters {
  userId?: string;
  module?: Module;
  model: string;
  provider: string;
  status?: InteractionStatus;
  startTime?: Date;
  endTime?: Date;
}

export type InteractionOrder = 'start_time_desc' | 'start_time_asc';

const ORDERS: Record<InteractionOrder, SortOrder<AiInteractionEntity>> = {
  start_time_desc: { key: 'start_time_desc', property: 'startedAt', direction: 'DESC' },
  start_time_asc: { key: 'start_time_asc', property: 'startedAt', direction: 'ASC' },
};

type Draft = Omit<AiInteractionEntity, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

/**
 * Recording and reading interactions. A record is one transaction: the
 * interactions with their events, their rollup rows and the budget checks.
 */
export class InteractionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly interactions: CrudRepository<AiInteractionEntity>,
    private readonly budgets: CrudRepository<BudgetEntity>,
    private readonly capture: { prompts: boolean; hashSecret: string },
  ) {}

  /** Records every item or none; a retried request id returns what it recorded first. */
  async record(
    caller: Principal,
    items: readonly { interaction: InteractionInput; key?: IdempotencyKey }[],
  ): Promise<AiInteractionEntity[]> {
    const now = new Date();
    const drafts = items.map((item) => this.draft(caller, item.interaction, now));
    drafts.forEach((draft) => checkRecord(caller, draft.userId));
    return inTransaction(this.dataSource, caller.userId, async (tx) => {
      await refuseErased(tx.manager, caller, drafts);
      const prices = await findPrices(
        tx.manager,
        drafts.map((draft) => ({
          provider: draft.provider,
          responseModel: draft.responseModel,
          requestModel: draft.requestModel,
          at: draft.startedAt,
        })),
      );
      // Every item in a fixed number of statements, however many there are.
      const results = await this.interactions.createMany(
        tx,
        drafts.map((draft, index) => ({
          values: priced(draft, prices[index] ?? null),
          key: items[index]?.key,
        })),
        {
          insertRoots: insertInteractions,
          // A replay answers the interaction as stored: only to a caller who may read it.
          authorizeReplay: (interaction) => checkReadInteraction(caller, interaction.userId),
        },
      );
      const created = results.filter((result) => result.created).map((result) => result.entity);
      await addToRollup(tx.manager, created);
      await checkBudgets(tx, this.budgets, created);
      return results.map((result) => result.entity);
    });
  }

  async get(caller: Principal, id: string): Promise<AiInteractionEntity> {
    const interaction = await this.interactions.get(id);
    checkReadInteraction(caller, interaction.userId);
    return interaction;
  }

  async list(
    caller: Principal,
    query: {
      filters: InteractionFilters;
      order: InteractionOrder;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ): Promise<Page<AiInteractionEntity>> {
    const filters = { ...query.filters, userId: readableUser(caller, query.filters.userId) };
    return this.interactions.list({
      filter: (qb) => applyFilters(qb, filters),
      filterValues: filters,
      order: ORDERS[query.order],
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
    });
  }

  private draft(caller: Principal, input: InteractionInput, now: Date): Draft {
    const { prompts, hashSecret } = this.capture;
    const prompt = captureText(input.prompt, prompts, hashSecret);
    const response = captureText(input.response, prompts, hashSecret);
    return {
      userId: input.userId ?? caller.userId,
      module: input.module,
      provider: input.provider,
      requestModel: input.requestModel,
      responseModel: input.responseModel,
      model: input.responseModel || input.requestModel,
      operation: input.operation,
      prompt: prompt.text,
      response: response.text,
      promptCaptured: prompts,
      promptLength: prompt.length,
      responseLength: response.length,
      promptHmac: prompt.hmac,
      responseHmac: response.hmac,
      inputTokens: input.inputTokens,
      outputTokens: input.outputTokens,
      cachedInputTokens: input.cachedInputTokens,
      reasoningTokens: input.reasoningTokens,
      totalTokens: input.inputTokens + input.outputTokens,
      computedCost: null,
      computedCurrency: null,
      reportedCost: input.reportedCost ? normalizeDecimal(input.reportedCost.amount) : null,
      reportedCurrency: input.reportedCost?.currencyCode ?? null,
      unpriced: true,
      priceId: null,
      latencyMs: input.latencyMs,
      timeToFirstTokenMs: input.timeToFirstTokenMs ?? null,
      status: input.status,
      errorMessage: input.errorMessage,
      conversationId: input.conversationId,
      traceId: input.traceId,
      metadata: input.metadata,
      startedAt: input.startTime ?? now,
    };
  }
}

/**
 * Refuses recording for a user whose hard deletion was applied. Only
 * records for someone else can name one (the user's own tokens are
 * revoked with the deletion), so a caller's records for themselves cost
 * no query.
 */
async function refuseErased(
  manager: EntityManager,
  caller: Principal,
  drafts: readonly Draft[],
): Promise<void> {
  const others = drafts.map((draft) => draft.userId).filter((id) => id !== caller.userId);
  const [erased] = await erasedAmong(manager, others);
  if (erased) {
    throw new AiUsageError('USER_ERASED', `user ${erased} was deleted and their usage erased`);
  }
}

/** The draft with the cost of the matched price; unmatched drafts stay unpriced. */
function priced(draft: Draft, price: MatchedPrice | null): Draft {
  if (!price) return draft;
  return {
    ...draft,
    computedCost: computeCost(draft, price),
    computedCurrency: price.currency,
    unpriced: false,
    priceId: price.id,
  };
}

function applyFilters(
  qb: SelectQueryBuilder<AiInteractionEntity>,
  filters: InteractionFilters,
): void {
  if (filters.userId) qb.andWhere('e.user_id = :userId', { userId: filters.userId });
  if (filters.module) qb.andWhere('e.module = :module', { module: filters.module });
  if (filters.model) qb.andWhere('e.model = :model', { model: filters.model });
  if (filters.provider) qb.andWhere('e.provider = :provider', { provider: filters.provider });
  if (filters.status) qb.andWhere('e.status = :status', { status: filters.status });
  if (filters.startTime)
    qb.andWhere('e.started_at >= :startTime', { startTime: filters.startTime });
  if (filters.endTime) qb.andWhere('e.started_at < :endTime', { endTime: filters.endTime });
}
