import { formatNumber, median, rate, seriesLimit, targetMet } from './stats';

describe('median', () => {
  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    expect(median(samples)).toBe(2);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('seriesLimit', () => {
  it('combines two stages as 1 / (1/a + 1/b)', () => {
    expect(seriesLimit(1000, 1000)).toBe(500);
    expect(seriesLimit(3000, 1500)).toBeCloseTo(1000, 6);
  });

  it('is 0 when a stage did no work', () => {
    expect(seriesLimit(0, 1000)).toBe(0);
  });
});

describe('targets and formatting', () => {
  it('checks a lower and an upper bound', () => {
    expect(targetMet({ name: 'a', value: 0.8, bound: 0.75, sense: '>=' })).toBe(true);
    expect(targetMet({ name: 'b', value: 0.7, bound: 0.75, sense: '>=' })).toBe(false);
    expect(targetMet({ name: 'c', value: 1.3, bound: 1.2, sense: '<=' })).toBe(false);
    expect(targetMet({ name: 'd', value: Number.NaN, bound: 1.2, sense: '<=' })).toBe(false);
  });

  it('rounds by magnitude', () => {
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(123.4)).toBe('123');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(1.234)).toBe('1.23');
    expect(rate(500, 2)).toBe(250);
  });
});
