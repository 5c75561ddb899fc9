import { rowMet, type BenchRow } from '@nexus/testing';
import type { BenchResults } from './report';
import type { CallFigures } from './rounds';
import { MAIN_WRITES } from './scenarios';
import { formatNumber as f } from './stats';

/** A call's row: its median ratio to its reference over the rounds, with the spread. */
export function callRow(x: CallFigures): BenchRow {
  const { scenario, typical, ratio } = x;
  const h = scenario.reference.kind === 'h';
  return {
    measurement: h ? `${scenario.name} / H` : `${scenario.name} / argon2id alone`,
    figure: `${f(typical.service.rate)} calls/s`,
    reference: h ? `H = ${f(typical.reference)}/s` : `argon2id alone ${f(typical.reference)}/s`,
    value: ratio.median,
    spread: { min: ratio.min, max: ratio.max, rounds: ratio.rounds },
    bound: scenario.reference.bound,
    sense: '>=',
  };
}

export const callMet = (x: CallFigures): boolean => rowMet(callRow(x));

/** The fastest main write (the median round's rate): what each service's relay must outrun. */
function fastestWrite(r: BenchResults): { name: string; rate: number } {
  const writes = r.calls.filter((x) => MAIN_WRITES.includes(x.scenario.name));
  let best = { name: 'none', rate: Number.NaN };
  for (const x of writes) {
    const rate = x.typical.service.rate;
    if (!(rate <= best.rate)) best = { name: x.scenario.name, rate };
  }
  return best;
}

/** Every row of the results table, in its order. */
export function resultRows(r: BenchResults): BenchRow[] {
  return [
    ...r.calls.map(callRow),
    sustainedRow(r),
    ...r.serviceBenches.flatMap((bench) => bench.rows),
    ...relayRows(r),
    listRow(r),
  ];
}

/** A row whose section failed: no figure, the reason as its reference. */
function notMeasured(
  r: BenchResults,
  section: string,
  row: Omit<BenchRow, 'figure' | 'reference' | 'value'>,
): BenchRow {
  const failure = r.failures.find((x) => x.section === section);
  return {
    ...row,
    figure: 'not measured',
    reference: failure ? `failed: ${failure.error}` : '–',
    value: Number.NaN,
  };
}

function relayRows(r: BenchResults): BenchRow[] {
  const section = 'outbox relay and latency';
  const relay = r.relay;
  const notify = r.latency.find((x) => x.mode === 'notify');
  const poll = r.latency.find((x) => x.mode === 'poll-500ms');
  const fastest = fastestWrite(r);
  const rows = {
    raw: { measurement: 'relay / raw drain', bound: 0.8, sense: '>=' as const },
    write: { measurement: 'relay / fastest write rate', bound: 1.5, sense: '>=' as const },
    latency: { measurement: 'commit → consumer p99 (ms)', bound: 25, sense: '<=' as const },
  };
  if (!relay) return Object.values(rows).map((row) => notMeasured(r, section, row));
  return [
    {
      ...rows.raw,
      figure: `${f(relay.kitRate)} events/s`,
      reference: `raw ${f(relay.rawRate)}/s`,
      value: relay.kitRate / relay.rawRate,
    },
    {
      ...rows.write,
      figure: `${f(relay.kitRate)} events/s`,
      reference: `${fastest.name} ${f(fastest.rate)}/s`,
      value: relay.kitRate / fastest.rate,
    },
    {
      ...rows.latency,
      figure: `p50 ${f(notify?.p50Ms ?? NaN)} ms, p99 ${f(notify?.p99Ms ?? NaN)} ms`,
      reference: `500 ms polling: p50 ${f(poll?.p50Ms ?? NaN)} ms, p99 ${f(poll?.p99Ms ?? NaN)} ms`,
      value: notify?.p99Ms ?? NaN,
    },
  ];
}

function listRow(r: BenchResults): BenchRow {
  const row = { measurement: 'deep page / first page', bound: 1.2, sense: '<=' as const };
  const list = r.list;
  if (!list) return notMeasured(r, 'list paging', row);
  return {
    ...row,
    figure: `first ${f(list.firstPageMs)} ms, deep ${f(list.deepPageMs)} ms`,
    reference: `OFFSET: first ${f(list.offsetFirstMs)} ms, deep ${f(list.offsetDeepMs)} ms (×${f(list.offsetDeepMs / list.offsetFirstMs)})`,
    value: list.deepPageMs / list.firstPageMs,
  };
}

function sustainedRow(r: BenchResults): BenchRow {
  const row = {
    measurement: 'analytics lag back to 0 after sustained load (s)',
    bound: r.config.drainTargetSeconds,
    sense: '<=' as const,
  };
  const s = r.sustained;
  if (!s) return notMeasured(r, 'sustained load', row);
  return {
    ...row,
    figure: Number.isFinite(s.drainSeconds)
      ? `${f(s.drainSeconds)} s (peak backlog ${f(s.peakBacklog)})`
      : `not within ${s.drainLimitSeconds} s`,
    reference: `${s.seconds} s of every main write at once, ${f(s.eventsPerSecond)} events/s`,
    value: s.drainSeconds,
  };
}
