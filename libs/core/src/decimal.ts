import { z } from 'zod';

/**
 * Decimal strings: the one strict form every decimal input must have, a
 * schema that also holds it to the precision and scale of the numeric column
 * it goes to, and exact arithmetic on scaled integers (BigInt), so no amount
 * ever passes through a JavaScript float.
 */

/** Optional minus, digits, optional fraction: no spaces, "+", exponent or bare ".". */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A PostgreSQL `numeric(precision, scale)` column. */
export interface NumericColumn {
  precision: number;
  scale: number;
}

export interface DecimalRules {
  /** Default 'non-negative'. */
  sign?: 'any' | 'non-negative' | 'positive';
  /** Largest value allowed, as a decimal string. */
  max?: string;
}

/**
 * A decimal string bound for `column`: the strict form, at most `scale`
 * fractional digits and `precision - scale` integer digits (PostgreSQL would
 * round the first silently and refuse the second), and the sign and maximum
 * the field allows.
 */
export function decimal(column: NumericColumn, rules: DecimalRules = {}) {
  const sign = rules.sign ?? 'non-negative';
  const max = rules.max === undefined ? undefined : parseDecimal(rules.max, column.scale);
  return z.string().superRefine((value, ctx) => {
    const problem = decimalProblem(value, column, sign, max, rules.max);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

function decimalProblem(
  value: string,
  column: NumericColumn,
  sign: NonNullable<DecimalRules['sign']>,
  max: bigint | undefined,
  maxText: string | undefined,
): string | undefined {
  const match = DECIMAL.exec(value);
  if (!match)
    return 'must be a decimal number such as "12.5": digits with an optional "-" and fraction, no spaces, "+" or exponent';
  const [, , whole = '', fraction = ''] = match;
  if (fraction.length > column.scale)
    return column.scale === 0
      ? 'must be a whole number'
      : `must have at most ${column.scale} fractional digits`;
  const wholeDigits = whole.replace(/^0+/, '').length;
  if (wholeDigits > column.precision - column.scale)
    return `must have at most ${column.precision - column.scale} digits before the decimal point`;
  const units = parseDecimal(value, column.scale);
  if (sign !== 'any' && units < 0n) return 'must not be negative';
  if (sign === 'positive' && units === 0n) return 'must be more than 0';
  if (max !== undefined && units > max) return `must be at most ${maxText}`;
  return undefined;
}

/** `value` as an integer count of 10^-scale units; throws on more digits than `scale`. */
export function parseDecimal(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value);
  if (!match) throw new Error('not a decimal');
  const [, sign, whole = '', fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) throw new Error(`more than ${scale} decimals`);
  const units = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  return sign === '-' ? -units : units;
}

/** The shortest decimal string for `units` × 10^-scale ("1.5", "0.000123", "3"). */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A numeric as PostgreSQL returns it ("2.500000"), in its shortest form ("2.5"). */
export function normalizeDecimal(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}` : (whole ?? '0');
}

/** Exact sum of decimal strings at `scale`, in the shortest form. */
export function sumDecimals(values: readonly string[], scale: number): string {
  return formatDecimal(
    values.reduce((sum, value) => sum + parseDecimal(value, scale), 0n),
    scale,
  );
}
