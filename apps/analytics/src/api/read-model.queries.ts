import type { DataSource } from 'typeorm';
import type { SeriesQuery } from './query-params';
import type { SeriesSpec } from './series';

export type Row = Record<string, string | number>;

/**
 * Sums a read model over a date range, grouped by the asked dimensions. Only
 * the spec's fixed column names are spliced into the SQL; every value is a
 * parameter.
 */
export async function querySeries(
  dataSource: DataSource,
  spec: SeriesSpec,
  query: SeriesQuery,
): Promise<Row[]> {
  const params: unknown[] = [query.from, query.to];
  const where = ['day BETWEEN $1 AND $2'];
  for (const filter of query.filters) {
    params.push(filter.value);
    where.push(`${filter.column} = $${params.length}`);
  }
  const dimensions = query.groupBy.map((name) => {
    const column = spec.dimensions[name];
    return name === 'day' ? `to_char(${column}, 'YYYY-MM-DD') AS "day"` : `${column} AS "${name}"`;
  });
  const metrics = Object.entries(spec.metrics).map(
    ([name, metric]) => `${metric.sql} AS "${name}"`,
  );
  const columns = query.groupBy.map((name) => spec.dimensions[name]);
  const sql = [
    `SELECT ${[...dimensions, ...metrics].join(', ')}`,
    `FROM analytics.${spec.table}`,
    `WHERE ${where.join(' AND ')}`,
    columns.length > 0 ? `GROUP BY ${columns.join(', ')} ORDER BY ${columns.join(', ')}` : '',
  ].join(' ');
  const rows = await dataSource.query<Record<string, string | null>[]>(sql, params);
  // With no grouping an empty range still sums to one row; report zeros rather than nulls.
  return rows.map((row) => {
    const out: Row = {};
    for (const name of query.groupBy) out[name] = row[name] ?? '';
    for (const [name, metric] of Object.entries(spec.metrics)) {
      out[name] = metric.decimal ? (row[name] ?? '0') : Number(row[name] ?? 0);
    }
    return out;
  });
}

export interface OpenTasks {
  asOf: string;
  rows: { project?: string; open: number; overdue: number }[];
}

/** Open (neither done nor cancelled) and overdue (open, due before `asOf`) tasks now. */
export async function queryOpenTasks(
  dataSource: DataSource,
  options: { asOf: string; projectId?: string; byProject: boolean },
): Promise<OpenTasks> {
  const params: unknown[] = [options.asOf];
  const where = ['open'];
  if (options.projectId) {
    params.push(options.projectId);
    where.push(`project_id = $2`);
  }
  const rows = await dataSource.query<{ project?: string; open: string; overdue: string }[]>(
    `SELECT ${options.byProject ? 'project_id AS project, ' : ''}
       COUNT(*)::bigint AS open,
       COUNT(*) FILTER (WHERE due_date < $1::date)::bigint AS overdue
     FROM analytics.task_states WHERE ${where.join(' AND ')}
     ${options.byProject ? 'GROUP BY project_id ORDER BY project_id' : ''}`,
    params,
  );
  return {
    asOf: options.asOf,
    rows: rows.map((row) => ({
      ...(row.project === undefined ? {} : { project: row.project }),
      open: Number(row.open),
      overdue: Number(row.overdue),
    })),
  };
}
