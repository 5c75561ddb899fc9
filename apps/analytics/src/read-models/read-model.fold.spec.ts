import { fromNanos, toNanos } from './read-model.fold';

describe('decimal costs in units of 10^-9', () => {
  it.each([
    ['0.0042', 4_200_000n, '0.004200000'],
    ['12', 12_000_000_000n, '12.000000000'],
    ['-0.5', -500_000_000n, '-0.500000000'],
    // Rounded half away from zero, as numeric(20,9) stores it.
    ['0.0000000015', 2n, '0.000000002'],
    ['0.0000000014999', 1n, '0.000000001'],
    ['-0.0000000015', -2n, '-0.000000002'],
  ])('reads %s as the value the cost column keeps', (decimal, nanos, text) => {
    expect(toNanos(decimal)).toBe(nanos);
    expect(fromNanos(nanos)).toBe(text);
  });

  it('sums without the rounding of binary floating point', () => {
    const sum = ['0.1', '0.2', '0.0000000004'].reduce((total, cost) => total + toNanos(cost), 0n);
    expect(fromNanos(sum)).toBe('0.300000000');
  });
});
