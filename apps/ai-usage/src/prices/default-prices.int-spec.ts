/**
 * The default price list (migration DefaultModelPrices): after the
 * migrations alone, widely used models are priced, each default is an
 * ordinary ModelPrice with its created event, and admins can change it.
 */
import { aiUsageV1 } from '@nexus/proto';
import { EventCollector } from '@nexus/testing';
import {
  DEFAULT_MODEL_PRICES,
  DEFAULT_PRICES_AS_OF,
} from '../migrations/1796314200000-default-model-prices';
import { interaction, startAiUsage, type AiUsageHarness } from '../testing/ai-usage-harness';

let ai: AiUsageHarness;
let events: EventCollector;

beforeAll(async () => {
  ai = await startAiUsage();
  events = await EventCollector.start(['nexus.ai-usage.model-price']);
});

afterAll(async () => {
  await events.stop();
  await ai.stop();
});

async function listPrices(provider: string): Promise<aiUsageV1.ModelPrice[]> {
  const admin = ai.as('admin');
  const prices: aiUsageV1.ModelPrice[] = [];
  let pageToken = '';
  do {
    const page = await ai.prices.listModelPrices(
      {
        provider,
        model: '',
        pageSize: 100,
        pageToken,
        showDeleted: false,
        includeTotalSize: false,
      },
      admin,
    );
    prices.push(...page.modelPrices);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return prices;
}

describe('the default price list', () => {
  it('prices a listed model with no price set by anyone, cached input at its own price', async () => {
    const recorded = await ai.usage.recordInteraction(
      {
        interaction: interaction({
          provider: 'openai',
          requestModel: 'gpt-4o',
          responseModel: 'gpt-4o-2024-08-06',
          inputTokens: 1000,
          cachedInputTokens: 200,
          outputTokens: 500,
        }),
        requestId: '',
      },
      ai.as('user'),
    );
    // 800 × 2.50 + 200 × 1.25 + 500 × 10.00, per million tokens
    expect(recorded).toMatchObject({
      unpriced: false,
      cost: { amount: '0.00725', currencyCode: 'USD' },
    });
  });

  it('matches dated Anthropic ids through its patterns, and Gemini by name', async () => {
    const user = ai.as('user');
    const record = (provider: string, requestModel: string) =>
      ai.usage.recordInteraction(
        {
          interaction: interaction({
            provider,
            requestModel,
            inputTokens: 1000,
            outputTokens: 500,
          }),
          requestId: '',
        },
        user,
      );
    const sonnet = await record('anthropic', 'claude-sonnet-4-5-20250929');
    const haiku = await record('anthropic', 'claude-3-5-haiku-20241022');
    const flash = await record('gcp.gemini', 'gemini-2.5-flash');
    expect([sonnet, haiku, flash].map((i) => i.cost?.amount)).toEqual([
      '0.0105', // 1000 × 3 + 500 × 15
      '0.0028', // 1000 × 0.80 + 500 × 4
      '0.00155', // 1000 × 0.30 + 500 × 2.50
    ]);
  });

  it('leaves usage from before the date of the list unpriced', async () => {
    const early = await ai.usage.recordInteraction(
      {
        interaction: interaction({
          provider: 'openai',
          requestModel: 'gpt-4o',
          startTime: new Date(Date.parse(DEFAULT_PRICES_AS_OF) - 1000),
        }),
        requestId: '',
      },
      ai.as('user'),
    );
    expect(early).toMatchObject({ unpriced: true, cost: undefined });
  });

  it('holds every listed price as an ordinary ModelPrice with its created event', async () => {
    const providers = [...new Set(DEFAULT_MODEL_PRICES.map(([provider]) => provider))];
    const stored = (await Promise.all(providers.map(listPrices))).flat();
    const defaults = stored.filter(
      (price) => price.effectiveTime?.toISOString() === DEFAULT_PRICES_AS_OF,
    );
    expect(
      defaults
        .map((p) => [
          p.provider,
          p.model,
          p.inputPricePerMillion,
          p.outputPricePerMillion,
          p.cachedInputPricePerMillion || null,
        ])
        .sort(),
    ).toEqual([...DEFAULT_MODEL_PRICES].map((row) => [...row]).sort());
    expect(new Set(defaults.map((p) => p.currencyCode))).toEqual(new Set(['USD']));
    const gpt4o = defaults.find((p) => p.model === 'gpt-4o')!;
    const [created] = await events.waitForSubject(gpt4o.id, 1);
    expect(created).toMatchObject({ type: 'nexus.ai-usage.model-price.created' });
    expect(created?.data.after).toMatchObject({ model: 'gpt-4o', inputPricePerMillion: '2.5' });
  });

  it('lets an admin change a default like any price', async () => {
    const admin = ai.as('admin');
    const [nano] = (await listPrices('openai')).filter(
      (p) => p.model === 'gpt-4.1-nano' && p.effectiveTime?.toISOString() === DEFAULT_PRICES_AS_OF,
    );
    const updated = await ai.prices.updateModelPrice(
      {
        modelPrice: aiUsageV1.ModelPrice.fromPartial({
          id: nano.id,
          etag: nano.etag,
          outputPricePerMillion: '0.5',
        }),
        updateMask: ['output_price_per_million'],
      },
      admin,
    );
    expect(updated.outputPricePerMillion).toBe('0.5');
    const recorded = await ai.usage.recordInteraction(
      {
        interaction: interaction({
          requestModel: 'gpt-4.1-nano',
          inputTokens: 0,
          outputTokens: 1000,
        }),
        requestId: '',
      },
      ai.as('user'),
    );
    expect(recorded.cost?.amount).toBe('0.0005');
  });
});
