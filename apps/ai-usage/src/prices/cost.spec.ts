import { computeCost } from './cost';

const prices = {
  inputPrice: '2.5',
  outputPrice: '10',
  cachedInputPrice: '1.25',
  reasoningPrice: '12',
};

describe('computeCost', () => {
  it('prices plain input and output tokens per million', () => {
    const cost = computeCost(
      { inputTokens: 1_000_000, outputTokens: 500_000, cachedInputTokens: 0, reasoningTokens: 0 },
      prices,
    );
    expect(cost).toBe('7.5');
  });

  it('prices cached input and reasoning tokens separately, out of their totals', () => {
    // 600k fresh input × 2.5 + 400k cached × 1.25 + 100k output × 10 + 100k reasoning × 12
    const cost = computeCost(
      {
        inputTokens: 1_000_000,
        outputTokens: 200_000,
        cachedInputTokens: 400_000,
        reasoningTokens: 100_000,
      },
      prices,
    );
    expect(cost).toBe('4.2');
  });

  it('falls back to the input and output prices when no separate price is set', () => {
    const cost = computeCost(
      { inputTokens: 1000, outputTokens: 1000, cachedInputTokens: 1000, reasoningTokens: 1000 },
      { ...prices, cachedInputPrice: null, reasoningPrice: null },
    );
    expect(cost).toBe('0.0125');
  });

  it('keeps sub-cent costs of a single token exact', () => {
    const cost = computeCost(
      { inputTokens: 1, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 },
      { ...prices, inputPrice: '0.000001' },
    );
    expect(cost).toBe('0.000000000001');
  });
});
