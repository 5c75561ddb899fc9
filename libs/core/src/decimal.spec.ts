import { decimal, formatDecimal, normalizeDecimal, parseDecimal, sumDecimals } from './decimal';

describe('decimal', () => {
  const hours = decimal({ precision: 5, scale: 2 }, { sign: 'positive', max: '24' });
  const messageOf = (schema: typeof hours, value: string) =>
    schema.safeParse(value).error?.issues[0]?.message;

  it('accepts the strict form within the column', () => {
    for (const value of ['24', '0.25', '1.5', '007.50', '23.99'])
      expect([value, messageOf(hours, value)]).toEqual([value, undefined]);
    const signed = decimal({ precision: 28, scale: 12 }, { sign: 'any' });
    expect(messageOf(signed, '-1234567890123456.123456789012')).toBeUndefined();
  });

  it('refuses spaces, "+", exponents, bare points and other forms', () => {
    for (const value of [' 5', '5 ', '+5', '1e3', '.5', '5.', '', '0x10', '1,5', '١', '--1'])
      expect([value, messageOf(hours, value)]).toEqual([
        value,
        expect.stringMatching(/must be a decimal number/),
      ]);
  });

  it('refuses more digits than the column holds', () => {
    expect(messageOf(hours, '1.234')).toBe('must have at most 2 fractional digits');
    expect(messageOf(decimal({ precision: 5, scale: 2 }), '1000')).toBe(
      'must have at most 3 digits before the decimal point',
    );
    expect(messageOf(decimal({ precision: 5, scale: 2 }), '000999.99')).toBeUndefined();
    expect(messageOf(decimal({ precision: 5, scale: 0 }), '1.5')).toBe('must be a whole number');
  });

  it('holds the sign and the maximum', () => {
    expect(messageOf(hours, '0')).toBe('must be more than 0');
    expect(messageOf(hours, '-1')).toBe('must not be negative');
    expect(messageOf(hours, '24.01')).toBe('must be at most 24');
    expect(messageOf(decimal({ precision: 5, scale: 2 }), '0')).toBeUndefined();
    expect(messageOf(decimal({ precision: 5, scale: 2 }), '-0.01')).toBe('must not be negative');
  });
});

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
    expect(() => parseDecimal(' 5', 6)).toThrow();
  });

  it('sums where floats would drift', () => {
    expect(sumDecimals(['0.1', '0.2'], 12)).toBe('0.3');
    expect(
      sumDecimals(
        Array.from({ length: 10 }, () => '0.000000000001'),
        12,
      ),
    ).toBe('0.00000000001');
  });

  it('shortens numerics as PostgreSQL prints them', () => {
    expect(normalizeDecimal('2.500000')).toBe('2.5');
    expect(normalizeDecimal('3.000000')).toBe('3');
    expect(normalizeDecimal('12')).toBe('12');
    expect(normalizeDecimal('100')).toBe('100');
  });
});
