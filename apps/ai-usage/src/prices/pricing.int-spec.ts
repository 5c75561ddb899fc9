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
  events = await EventCollector.start(['nexus.ai-usage.model-price']);
});

afterAll(async () => {
  await events.stop();
  await ai.stop();
});

const price = (provider: string, model: string, effective: string, input: string, output = '0') =>
  ai.prices.createModelPrice(
    {
      modelPrice: aiUsageV1.ModelPrice.fromPartial({
        provider,
        model,
        inputPricePerMillion: input,
        outputPricePerMillion: output,
        currencyCode: 'USD',
        effectiveTime: new Date(effective),
      }),
      requestId: '',
    },
    { token: admin.token },
  );

const record = (caller: Caller, overrides: Partial<aiUsageV1.AiInteraction>) =>
  ai.usage.recordInteraction({ interaction: interaction(overrides), requestId: '' }, caller);

describe('cost computation', () => {
  it('prices an interaction with the price in force at its start time', async () => {
    const provider = uniqueProvider();
    await price(provider, 'm1', '2025-01-01T00:00:00Z', '1');
    await price(provider, 'm1', '2025-03-01T00:00:00Z', '2');
    const user = ai.as('user');
    const tokens = { inputTokens: 1_000_000, outputTokens: 0 };
    const february = await record(user, {
      provider,
      requestModel: 'm1',
      startTime: new Date('2025-02-15T12:00:00Z'),
      ...tokens,
    });
    const march = await record(user, {
      provider,
      requestModel: 'm1',
      startTime: new Date('2025-03-01T00:00:00Z'),
      ...tokens,
    });
    const december = await record(user, {
      provider,
      requestModel: 'm1',
      startTime: new Date('2024-12-31T23:59:59Z'),
      ...tokens,
    });
    expect(february.cost).toEqual({ amount: '1', currencyCode: 'USD' });
    expect(march.cost).toEqual({ amount: '2', currencyCode: 'USD' });
    expect(december).toMatchObject({ unpriced: true, cost: undefined, computedCost: undefined });
  });

  it('prices cached input and reasoning tokens at their own prices', async () => {
    const provider = uniqueProvider();
    await ai.prices.createModelPrice(
      {
        modelPrice: aiUsageV1.ModelPrice.fromPartial({
          provider,
          model: 'reasoner',
          inputPricePerMillion: '2.5',
          outputPricePerMillion: '10',
          cachedInputPricePerMillion: '1.25',
          reasoningPricePerMillion: '12',
          currencyCode: 'EUR',
          effectiveTime: new Date('2025-01-01T00:00:00Z'),
        }),
        requestId: '',
      },
      { token: admin.token },
    );
    const recorded = await record(ai.as('user'), {
      provider,
      requestModel: 'reasoner',
      startTime: new Date('2025-05-01T00:00:00Z'),
      inputTokens: 1_000_000,
      cachedInputTokens: 400_000,
      outputTokens: 200_000,
      reasoningTokens: 100_000,
    });
    // 600k × 2.5 + 400k × 1.25 + 100k × 10 + 100k × 12, per million
    expect(recorded.computedCost).toEqual({ amount: '4.2', currencyCode: 'EUR' });
    expect(recorded.totalTokens).toBe(1_200_000);
  });

  it('prefers an exact model over a pattern and a longer pattern over a shorter one', async () => {
    const provider = uniqueProvider();
    await price(provider, 'gpt*', '2025-01-01T00:00:00Z', '1');
    await price(provider, 'gpt-4o*', '2025-01-01T00:00:00Z', '2');
    await price(provider, 'gpt-4o-mini', '2025-01-01T00:00:00Z', '3');
    const user = ai.as('user');
    const at = { startTime: new Date('2025-06-01T00:00:00Z'), inputTokens: 1_000_000 };
    const exact = await record(user, { provider, requestModel: 'gpt-4o-mini', ...at });
    const longer = await record(user, { provider, requestModel: 'gpt-4o-2024-08-06', ...at });
    const shorter = await record(user, { provider, requestModel: 'gpt-3.5', ...at });
    // The response model is what ran, so it is matched first.
    const answered = await record(user, {
      provider,
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024',
      ...at,
    });
    expect([exact, longer, shorter, answered].map((i) => i.cost?.amount)).toEqual([
      '3',
      '2',
      '1',
      '2',
    ]);
  });

  it('records an unknown model without a cost, flagged, and keeps a reported cost', async () => {
    const recorded = await record(ai.as('user'), {
      provider: uniqueProvider(),
      requestModel: 'mystery',
      reportedCost: { amount: '0.0123', currencyCode: 'USD' },
    });
    expect(recorded).toMatchObject({
      unpriced: true,
      computedCost: undefined,
      reportedCost: { amount: '0.0123', currencyCode: 'USD' },
      cost: { amount: '0.0123', currencyCode: 'USD' },
    });
  });

  it('keeps the caller-supplied cost alongside the computed one, and counts the supplied one', async () => {
    const provider = uniqueProvider();
    await price(provider, 'm', '2025-01-01T00:00:00Z', '1');
    const recorded = await record(ai.as('user'), {
      provider,
      requestModel: 'm',
      inputTokens: 1_000_000,
      reportedCost: { amount: '0.9', currencyCode: 'USD' },
    });
    expect(recorded.computedCost).toEqual({ amount: '1', currencyCode: 'USD' });
    expect(recorded.reportedCost).toEqual({ amount: '0.9', currencyCode: 'USD' });
    expect(recorded.cost).toEqual({ amount: '0.9', currencyCode: 'USD' });
  });
});

describe('ModelPriceService', () => {
  it('lets only admins write prices and refuses malformed ones, writing nothing', async () => {
    const provider = uniqueProvider();
    const denied = await grpcError(
      ai.prices.createModelPrice(
        {
          modelPrice: aiUsageV1.ModelPrice.fromPartial({
            provider,
            model: 'm',
            inputPricePerMillion: '1',
            outputPricePerMillion: '1',
            currencyCode: 'USD',
            effectiveTime: new Date(),
          }),
          requestId: '',
        },
        { token: ai.as('manager').token },
      ),
    );
    expect(denied.code).toBe(status.PERMISSION_DENIED);
    const invalid = await grpcError(
      ai.prices.createModelPrice(
        {
          modelPrice: aiUsageV1.ModelPrice.fromPartial({
            provider,
            model: 'a*b*',
            inputPricePerMillion: '1.1234567',
            outputPricePerMillion: '-1',
            currencyCode: 'dollars',
          }),
          requestId: '',
        },
        { token: admin.token },
      ),
    );
    expect(invalid.code).toBe(status.INVALID_ARGUMENT);
    expect(invalid.fields.sort()).toEqual(
      [
        'model_price.currency_code',
        'model_price.effective_time',
        'model_price.input_price_per_million',
        'model_price.model',
        'model_price.output_price_per_million',
      ].sort(),
    );
    const listed = await ai.prices.listModelPrices(
      aiUsageV1.ListModelPricesRequest.fromPartial({ provider }),
      { token: admin.token },
    );
    expect(listed.modelPrices).toHaveLength(0);
  });

  it('updates with an etag, soft-deletes, restores, and emits one event per change', async () => {
    const provider = uniqueProvider();
    const created = await price(provider, 'm', '2025-01-01T00:00:00Z', '1', '2');
    expect(created).toMatchObject({ inputPricePerMillion: '1', cachedInputPricePerMillion: '' });
    const updated = await ai.prices.updateModelPrice(
      {
        modelPrice: aiUsageV1.ModelPrice.fromPartial({
          id: created.id,
          etag: created.etag,
          inputPricePerMillion: '1.5',
        }),
        updateMask: ['input_price_per_million'],
      },
      { token: admin.token },
    );
    expect(updated.inputPricePerMillion).toBe('1.5');
    const stale = await grpcError(
      ai.prices.updateModelPrice(
        {
          modelPrice: aiUsageV1.ModelPrice.fromPartial({
            id: created.id,
            etag: created.etag,
            inputPricePerMillion: '9',
          }),
          updateMask: ['input_price_per_million'],
        },
        { token: admin.token },
      ),
    );
    expect(stale.code).toBe(status.ABORTED);
    await ai.prices.deleteModelPrice({ id: created.id, etag: '' }, { token: admin.token });
    const unpriced = await record(ai.as('user'), { provider, requestModel: 'm' });
    expect(unpriced.unpriced).toBe(true);
    const hidden = await ai.prices.listModelPrices(
      aiUsageV1.ListModelPricesRequest.fromPartial({ provider }),
      { token: admin.token },
    );
    expect(hidden.modelPrices).toHaveLength(0);
    const shown = await ai.prices.listModelPrices(
      aiUsageV1.ListModelPricesRequest.fromPartial({ provider, showDeleted: true }),
      { token: admin.token },
    );
    expect(shown.modelPrices.map((p) => p.id)).toEqual([created.id]);
    await ai.prices.undeleteModelPrice({ id: created.id }, { token: admin.token });
    const types = (await events.waitForSubject(created.id, 4)).map((e) => e.type);
    expect(types).toEqual([
      'nexus.ai-usage.model-price.created',
      'nexus.ai-usage.model-price.updated',
      'nexus.ai-usage.model-price.deleted',
      'nexus.ai-usage.model-price.restored',
    ]);
  });

  it('refuses a second live price for the same provider, model and time', async () => {
    const provider = uniqueProvider();
    await price(provider, 'm', '2025-01-01T00:00:00Z', '1');
    const clash = await grpcError(price(provider, 'm', '2025-01-01T00:00:00Z', '2'));
    expect(clash).toMatchObject({ code: status.ALREADY_EXISTS, reason: 'PRICE_EXISTS' });
  });
});
