import { z } from 'zod';
import { calendarDate, isUuid, validate } from '@nexus/core';
import { AnalyticsError } from '../analytics.errors';
import type { SeriesSpec } from './series';

/** Longest range one request may ask for, in days (inclusive). */
export const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;

const isoDate = calendarDate;

export interface SeriesQuery {
  from: string;
  to: string;
  groupBy: string[];
  filters: { column: string; value: string }[];
}

/** Parses `from`, `to`, `group_by` and the series' filters; anything else is a bad parameter. */
export function parseSeriesQuery(
  spec: SeriesSpec,
  query: Record<string, unknown>,
  today: Date = new Date(),
): SeriesQuery {
  const filterShape = Object.fromEntries(
    Object.entries(spec.filters).map(([name, filter]) => [
      name,
      (filter.uuid ? z.string().refine(isUuid, 'must be a UUID') : z.string().min(1)).optional(),
    ]),
  );
  const parsed = validate(
    z.strictObject({
      from: isoDate.optional(),
      to: isoDate.optional(),
      group_by: z.string().optional(),
      ...filterShape,
    }),
    query,
  ) as { from?: string; to?: string; group_by?: string } & Record<string, string | undefined>;

  const to = parsed.to ?? today.toISOString().slice(0, 10);
  const from = parsed.from ?? addDays(to, 1 - DEFAULT_RANGE_DAYS);
  checkRange(from, to);
  const groupBy = parseGroupBy(spec, parsed.group_by);
  const filters = Object.entries(spec.filters)
    .filter(([name]) => parsed[name] !== undefined)
    .map(([name, filter]) => ({ column: filter.column, value: parsed[name]! }));
  return { from, to, groupBy, filters };
}

/** `as_of` for "now" figures (default today, UTC), plus the same filters. */
export function parseAsOf(query: Record<string, unknown>, today: Date = new Date()) {
  const parsed = validate(
    z.strictObject({
      as_of: isoDate.optional(),
      project_id: z.string().refine(isUuid, 'must be a UUID').optional(),
      group_by: z.enum(['project', '']).optional(),
    }),
    query,
  );
  return {
    asOf: parsed.as_of ?? today.toISOString().slice(0, 10),
    projectId: parsed.project_id,
    byProject: parsed.group_by === 'project',
  };
}

function checkRange(from: string, to: string): void {
  const days = (toDate(to).getTime() - toDate(from).getTime()) / 86_400_000 + 1;
  if (days < 1) {
    throw new AnalyticsError('INVALID_RANGE', 'from must not be after to', [
      { field: 'from', description: 'must not be after to', reason: 'INVALID_RANGE' },
    ]);
  }
  if (days > MAX_RANGE_DAYS) {
    throw new AnalyticsError('INVALID_RANGE', `the range is ${days} days`, [
      {
        field: 'to',
        description: `must be at most ${MAX_RANGE_DAYS} days after from`,
        reason: 'INVALID_RANGE',
      },
    ]);
  }
}

function parseGroupBy(spec: SeriesSpec, text: string | undefined): string[] {
  const asked =
    text === undefined
      ? spec.defaultGroupBy
      : text
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean);
  const unknown = asked.filter((name) => !(name in spec.dimensions));
  if (unknown.length > 0) {
    const allowed = Object.keys(spec.dimensions).join(', ');
    throw new AnalyticsError('INVALID_GROUPING', `cannot group by ${unknown.join(', ')}`, [
      {
        field: 'group_by',
        description: `must be a list of: ${allowed}`,
        reason: 'INVALID_GROUPING',
      },
    ]);
  }
  const groupBy = [...new Set([...asked, ...(spec.alwaysGroupBy ?? [])])];
  // Keep the dimensions in the spec's order, so rows always sort the same way.
  return Object.keys(spec.dimensions).filter((name) => groupBy.includes(name));
}

function toDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, days: number): string {
  return new Date(toDate(day).getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
