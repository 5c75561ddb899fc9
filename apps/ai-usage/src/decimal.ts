/**
 * Exact decimal arithmetic for money: amounts are parsed into integers of a
 * fixed scale (BigInt) and formatted back, so no cost ever passes through a
 * JavaScript float.
 */

/** Fractional digits of costs: prices have 6 and are per million tokens. */
export const COST_SCALE = 12;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `value` as an integer count of 10^-scale units; throws on more digits than `scale`. */
export function parseDecimal(value: string, scale: number): bigint {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${value}`);
  const [, sign, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) throw new Error(`${value} has more than ${scale} decimals`);
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

/** A numeric as Postgres returns it ("2.500000"), in its shortest form ("2.5"). */
export function normalizeDecimal(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed ? `${whole}.${trimmed}` : (whole ?? '0');
}

/** Exact sum of decimal strings, in the shortest form. */
export function sumDecimals(values: readonly string[], scale = COST_SCALE): string {
  return formatDecimal(
    values.reduce((sum, value) => sum + parseDecimal(value, scale), 0n),
    scale,
  );
}
