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
  const notify = r.latency.find((x) => x.mode === 'notify');
  const poll = r.latency.find((x) => x.mode === 'poll-500ms');
  const fastest = fastestWrite(r);
  const s = r.sustained;
  return [
    ...r.calls.map(callRow),
    {
      measurement: 'analytics lag back to 0 after sustained load (s)',
      figure: s
        ? Number.isFinite(s.drainSeconds)
          ? `${f(s.drainSeconds)} s (peak backlog ${f(s.peakBacklog)})`
          : `not within ${s.drainLimitSeconds} s`
        : 'not measured',
      reference: s
        ? `${s.seconds} s of every main write at once, ${f(s.eventsPerSecond)} events/s`
        : '–',
      value: s?.drainSeconds ?? Number.NaN,
      bound: r.config.drainTargetSeconds,
      sense: '<=',
    },
    ...r.serviceBenches.flatMap((bench) => bench.rows),
    {
      measurement: 'relay / raw drain',
      figure: `${f(r.relay.kitRate)} events/s`,
      reference: `raw ${f(r.relay.rawRate)}/s`,
      value: r.relay.kitRate / r.relay.rawRate,
      bound: 0.8,
      sense: '>=',
    },
    {
      measurement: 'relay / fastest write rate',
      figure: `${f(r.relay.kitRate)} events/s`,
      reference: `${fastest.name} ${f(fastest.rate)}/s`,
      value: r.relay.kitRate / fastest.rate,
      bound: 1.5,
      sense: '>=',
    },
    {
      measurement: 'commit → consumer p99 (ms)',
      figure: `p50 ${f(notify?.p50Ms ?? NaN)} ms, p99 ${f(notify?.p99Ms ?? NaN)} ms`,
      reference: `500 ms polling: p50 ${f(poll?.p50Ms ?? NaN)} ms, p99 ${f(poll?.p99Ms ?? NaN)} ms`,
      value: notify?.p99Ms ?? NaN,
      bound: 25,
      sense: '<=',
    },
    {
      measurement: 'deep page / first page',
      figure: `first ${f(r.list.firstPageMs)} ms, deep ${f(r.list.deepPageMs)} ms`,
      reference: `OFFSET: first ${f(r.list.offsetFirstMs)} ms, deep ${f(r.list.offsetDeepMs)} ms (×${f(r.list.offsetDeepMs / r.list.offsetFirstMs)})`,
      value: r.list.deepPageMs / r.list.firstPageMs,
      bound: 1.2,
      sense: '<=',
    },
  ];
}
