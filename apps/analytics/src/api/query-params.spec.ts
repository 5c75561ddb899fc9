import { AnalyticsError } from '../analytics.errors';
import { KitError } from '@nexus/core';
import { addDays, parseAsOf, parseSeriesQuery } from './query-params';
import { SERIES } from './series';

const spec = (path: string) => SERIES.find((s) => s.path === path)!;
const today = new Date('2024-03-10T08:00:00Z');

describe('parseSeriesQuery', () => {
  it('defaults to the 30 days up to today, grouped as the series says', () => {
    expect(parseSeriesQuery(spec('events'), {}, today)).toEqual({
      from: '2024-02-10',
      to: '2024-03-10',
      groupBy: ['day', 'type'],
      filters: [],
    });
  });

  it('keeps dimensions in a fixed order and always groups cost by currency', () => {
    const query = parseSeriesQuery(spec('ai-usage'), { group_by: 'user,day', model: 'm' }, today);
    expect(query.groupBy).toEqual(['day', 'user', 'currency']);
    expect(query.filters).toEqual([{ column: 'model', value: 'm' }]);
  });

  it('allows an empty grouping: one total row', () => {
    expect(parseSeriesQuery(spec('emails'), { group_by: '' }, today).groupBy).toEqual([]);
  });

  it('rejects a range longer than 366 days and one that ends before it starts', () => {
    expect(() =>
      parseSeriesQuery(spec('emails'), { from: '2023-03-09', to: '2024-03-10' }),
    ).toThrow(AnalyticsError);
    expect(() =>
      parseSeriesQuery(spec('emails'), { from: '2023-03-10', to: '2024-03-09' }),
    ).not.toThrow();
    expect(() =>
      parseSeriesQuery(spec('emails'), { from: '2024-03-11', to: '2024-03-10' }),
    ).toThrow(AnalyticsError);
  });

  it('rejects parameters the series does not have, naming them', () => {
    expect(() => parseSeriesQuery(spec('emails'), { room_id: 'x' })).toThrow(KitError);
  });
});

describe('parseAsOf', () => {
  it('defaults to today', () => {
    expect(parseAsOf({}, today)).toEqual({
      asOf: '2024-03-10',
      projectId: undefined,
      byProject: false,
    });
  });
});

describe('addDays', () => {
  it('crosses months and leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});
