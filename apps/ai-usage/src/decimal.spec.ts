import { formatDecimal, normalizeDecimal, parseDecimal, sumDecimals } from './decimal';

describe('decimal arithmetic', () => {
  it('round-trips amounts through scaled integers without rounding', () => {
    expect(parseDecimal('2.5', 6)).toBe(2_500_000n);
    expect(parseDecimal('0.000001', 6)).toBe(1n);
    expect(formatDecimal(1n, 12)).toBe('0.000000000001');
    expect(formatDecimal(3_000_000n, 6)).toBe('3');
    expect(formatDecimal(-1_500_000n, 6)).toBe('-1.5');
  });

  it('refuses more fractional digits than the scale but accepts trailing zeros', () => {
    expect(() => parseDecimal('0.0000001', 6)).toThrow();
    expect(parseDecimal('1.5000000000', 6)).toBe(1_500_000n);
    expect(() => parseDecimal('1e5', 6)).toThrow();
  });

  it('sums where floats would drift', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(Array.from({ length: 10 }, () => '0.000000000001'))).toBe('0.00000000001');
  });

  it('shortens numerics as Postgres prints them', () => {
    expect(normalizeDecimal('2.500000')).toBe('2.5');
    expect(normalizeDecimal('3.000000')).toBe('3');
    expect(normalizeDecimal('12')).toBe('12');
  });
});
