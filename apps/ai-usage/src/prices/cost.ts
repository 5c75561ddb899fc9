import { formatDecimal, parseDecimal } from '@nexus/core';
import { COST_COLUMN, PRICE_COLUMN } from '../validation';

/** Prices are per million tokens with up to 6 decimals. */
const PRICE_SCALE = PRICE_COLUMN.scale;
/** Fractional digits of costs: prices have 6 and are per million tokens. */
export const COST_SCALE = COST_COLUMN.scale;

export interface TokenCounts {
  /** Every prompt token, cached ones included (gen_ai.usage.input_tokens). */
  inputTokens: number;
  /** Every generated token, reasoning included (gen_ai.usage.output_tokens). */
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

export interface Prices {
  inputPrice: string;
  outputPrice: string;
  /** Null: cached input tokens cost the input price. */
  cachedInputPrice: string | null;
  /** Null: reasoning tokens cost the output price. */
  reasoningPrice: string | null;
}

/**
 * The cost of the tokens at per-million prices, exactly: each token kind is
 * priced once (cached input and reasoning tokens at their own price, the
 * rest of input and output at theirs). price × 10^6 × tokens ÷ 10^6 tokens is
 * an integer count of 10^-12 units, so the result has at most 12 decimals.
 */
export function computeCost(tokens: TokenCounts, prices: Prices): string {
  const price = (value: string) => parseDecimal(value, PRICE_SCALE);
  const input = price(prices.inputPrice);
  const output = price(prices.outputPrice);
  const cached = prices.cachedInputPrice === null ? input : price(prices.cachedInputPrice);
  const reasoning = prices.reasoningPrice === null ? output : price(prices.reasoningPrice);
  const units =
    BigInt(tokens.inputTokens - tokens.cachedInputTokens) * input +
    BigInt(tokens.cachedInputTokens) * cached +
    BigInt(tokens.outputTokens - tokens.reasoningTokens) * output +
    BigInt(tokens.reasoningTokens) * reasoning;
  return formatDecimal(units, COST_SCALE);
}
