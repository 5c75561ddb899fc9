import type { DataSource } from 'typeorm';
import type { IdempotencyKey, Principal } from '@nexus/core';
import {
  inTransaction,
  violatedUniqueConstraint,
  type CrudRepository,
  type Page,
  type Tx,
} from '@nexus/db';
import { AiUsageError } from '../ai-usage.errors';
import { checkAdmin } from '../interactions/interaction-access';
import type { ModelPriceEntity } from './model-price.entity';
import type { PriceChanges } from './model-price.validation';

export interface NewModelPrice {
  provider: string;
  model: string;
  inputPricePerMillion: string;
  outputPricePerMillion: string;
  cachedInputPricePerMillion: string | null;
  reasoningPricePerMillion: string | null;
  currencyCode: string;
  effectiveTime: Date;
}

/** Admin CRUD of model prices; everyone signed in reads them. */
export class ModelPriceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prices: CrudRepository<ModelPriceEntity>,
  ) {}

  async create(caller: Principal, input: NewModelPrice, key?: IdempotencyKey) {
    checkAdmin(caller, 'set model prices');
    return this.write(caller, async (tx) => {
      const { entity } = await this.prices.create(
        tx,
        {
          provider: input.provider,
          model: input.model,
          inputPrice: input.inputPricePerMillion,
          outputPrice: input.outputPricePerMillion,
          cachedInputPrice: input.cachedInputPricePerMillion,
          reasoningPrice: input.reasoningPricePerMillion,
          currency: input.currencyCode,
          effectiveFrom: input.effectiveTime,
        },
        key,
      );
      return entity;
    });
  }

  get(_caller: Principal, id: string): Promise<ModelPriceEntity> {
    return this.prices.get(id, { withDeleted: true });
  }

  list(
    _caller: Principal,
    query: {
      provider: string;
      model: string;
      showDeleted: boolean;
      pageSize: number;
      pageToken: string;
      includeTotal: boolean;
    },
  ): Promise<Page<ModelPriceEntity>> {
    const filters = { provider: query.provider, model: query.model };
    return this.prices.list({
      filter: (qb) => {
        if (filters.provider) qb.andWhere('e.provider = :provider', { provider: filters.provider });
        if (filters.model) qb.andWhere('e.model = :model', { model: filters.model });
      },
      filterValues: { ...filters, showDeleted: query.showDeleted },
      order: { key: 'effective_time_desc', property: 'effectiveFrom', direction: 'DESC' },
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      includeTotal: query.includeTotal,
      showDeleted: query.showDeleted,
    });
  }

  async update(caller: Principal, id: string, etag: string, changes: PriceChanges) {
    checkAdmin(caller, 'change model prices');
    return this.write(caller, (tx) =>
      this.prices.update(tx, id, {
        etag: etag || undefined,
        apply: (price) => {
          if (changes.inputPricePerMillion !== undefined)
            price.inputPrice = changes.inputPricePerMillion;
          if (changes.outputPricePerMillion !== undefined)
            price.outputPrice = changes.outputPricePerMillion;
          if (changes.cachedInputPricePerMillion !== undefined)
            price.cachedInputPrice = changes.cachedInputPricePerMillion;
          if (changes.reasoningPricePerMillion !== undefined)
            price.reasoningPrice = changes.reasoningPricePerMillion;
          if (changes.currencyCode !== undefined) price.currency = changes.currencyCode;
          if (changes.effectiveTime !== undefined) price.effectiveFrom = changes.effectiveTime;
        },
      }),
    );
  }

  async delete(caller: Principal, id: string, etag: string) {
    checkAdmin(caller, 'delete model prices');
    return this.write(caller, (tx) =>
      this.prices.delete(tx, id, { soft: true, etag: etag || undefined }),
    );
  }

  async undelete(caller: Principal, id: string) {
    checkAdmin(caller, 'restore model prices');
    return this.write(caller, (tx) => this.prices.undelete(tx, id));
  }

  /** Runs a write, turning a clash of live prices into ALREADY_EXISTS. */
  private async write<T>(caller: Principal, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.dataSource, caller.userId, work);
    } catch (error) {
      if (violatedUniqueConstraint(error) === 'UQ_model_prices_live') {
        throw new AiUsageError(
          'PRICE_EXISTS',
          'a live price for this provider, model and effective time already exists',
          [
            {
              field: 'model_price.effective_time',
              description: 'is already taken',
              reason: 'TAKEN',
            },
          ],
        );
      }
      throw error;
    }
  }
}
