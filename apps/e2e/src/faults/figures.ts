/** One row of the faults table: what a scenario did and what survived it. */
export interface ScenarioFigures {
  scenario: string;
  writesOk: number;
  /** Calls that did not end OK, by status, e.g. { UNAVAILABLE: 41 }. */
  failedCalls: Record<string, number>;
  events: number;
  lost: number;
  duplicated: number;
  /** Aggregates whose events came out of the order of their writes, of all written. */
  outOfOrder: number;
  aggregates: number;
  /** The scenario's own measure of recovery (its notes say which). */
  recoveryS: number;
  /** The analytics consumer: events applied, distinct event ids, messages delivered. */
  consumer: { applied: number; distinct: number; delivered: number };
  /** Anything else worth reading, e.g. the backlog the relay had to drain. */
  notes: string;
}

const HEADER = [
  'scenario',
  'writes OK',
  'failed calls',
  'events',
  'lost',
  'duplicated',
  'out of order',
  'recovery s',
  'analytics applied / distinct (delivered)',
  'notes',
];

/** The figures as a Markdown table (README-ready). */
export function figuresTable(rows: readonly ScenarioFigures[]): string {
  const cells = rows.map((row) => [
    row.scenario,
    String(row.writesOk),
    Object.entries(row.failedCalls)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || '0',
    String(row.events),
    String(row.lost),
    String(row.duplicated),
    `${row.outOfOrder} of ${row.aggregates}`,
    row.recoveryS.toFixed(1),
    `${row.consumer.applied} / ${row.consumer.distinct} (${row.consumer.delivered})`,
    row.notes,
  ]);
  const widths = HEADER.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]): string =>
    `| ${values.map((value, i) => value.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(HEADER),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
  ].join('\n');
}
