import type { CpuShares } from './cpu-meter';
import type { LoadResult } from './load';
import { benchConfig } from './config';
import { renderReport, type BenchResults } from './report';
import { summariseRounds, type CallRound, type SeededCall } from './rounds';
import type { Scenario } from './scenario';

/** A load of `rate` calls/s over 1 s, with `micros` µs of CPU per call by party. */
function load(
  rate: number,
  micros: Partial<Omit<CpuShares, 'machine' | 'capacity'>> = {},
  othersPercent = 10,
): LoadResult {
  const parts = { client: 0, server: 0, postgres: 0, kafka: 0, ...micros };
  const per = (value: number) => value * rate;
  const capacity = 2e6;
  const others = (capacity * othersPercent) / 100;
  return {
    calls: rate,
    errors: 0,
    seconds: 1,
    rate,
    latenciesMs: [1, 2, 3],
    cpu: {
      client: per(parts.client),
      server: per(parts.server),
      postgres: per(parts.postgres),
      kafka: per(parts.kafka),
      others,
      machine: per(parts.client + parts.server + parts.postgres + parts.kafka) + others,
      capacity,
    },
  };
}

const scenario = (name: string, reference: Scenario['reference']): Scenario => ({
  name,
  service: name === 'CreateUser' ? 'users' : 'work',
  reference,
  rawWork: `raw ${name}`,
  seed: () => Promise.reject(new Error('not seeded in a unit test')),
});

const seeded = (s: Scenario): SeededCall => ({
  scenario: s,
  run: { call: async () => undefined, sample: () => Promise.reject(new Error('unused')) },
  request: new Uint8Array(60),
  reply: new Uint8Array(280),
});

const updateTask = seeded(scenario('UpdateTask', { kind: 'h', bound: 0.65 }));
const getTask = seeded(scenario('GetTask', { kind: 'h', bound: 0.75 }));
const createUser = seeded(scenario('CreateUser', { kind: 'argon2id', bound: 0.9 }));

function hRound(service: LoadResult, g: number, p: number): CallRound {
  const reference = 1 / (1 / g + 1 / p);
  return {
    g: load(g, { client: 110, server: 50 }),
    p: load(p, { client: 60, postgres: 150 }),
    service,
    reference,
    ratio: service.rate / reference,
  };
}

function ceilingRound(service: number, alone: number): CallRound {
  return {
    ceiling: load(alone, { server: 14000 }),
    service: load(service, { client: 500, server: 14500, postgres: 900 }),
    reference: alone,
    ratio: service / alone,
  };
}

function results(): BenchResults {
  const calls = [updateTask, getTask, createUser];
  const rounds = [
    [
      hRound(load(1000, { client: 200, server: 700, postgres: 500, kafka: 100 }, 20), 6000, 4000),
      hRound(load(3000, { client: 150, server: 150, postgres: 60 }), 8000, 20000),
      ceilingRound(130, 140),
    ],
    [
      hRound(load(1300, { client: 200, server: 700, postgres: 500, kafka: 100 }, 5), 6000, 4000),
      hRound(load(3600, { client: 150, server: 150, postgres: 60 }), 8000, 20000),
      ceilingRound(132, 140),
    ],
    [
      hRound(load(1100, { client: 200, server: 700, postgres: 500, kafka: 100 }, 40), 6000, 4000),
      hRound(load(3300, { client: 150, server: 150, postgres: 60 }), 8000, 20000),
      ceilingRound(120, 140),
    ],
  ];
  return {
    config: benchConfig({}),
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      os: 'Linux',
      node: 'v20',
      postgres: '15',
      kafka: '3.9',
    },
    startedAt: new Date('2026-01-01T00:00:00Z'),
    seconds: 100,
    calls: summariseRounds(calls, rounds),
    sustained: {
      seconds: 60,
      writes: [{ name: 'UpdateTask', load: load(900) }],
      eventsPerSecond: 900,
      peakBacklog: 1200,
      drainSeconds: 7.5,
      drainLimitSeconds: 60,
    },
    serviceBenches: [
      {
        name: 'ai-usage',
        rows: [
          {
            measurement: 'RecordInteraction / H',
            figure: '900 calls/s',
            reference: 'H = 1,000/s',
            value: 0.9,
            spread: { min: 0.8, max: 0.95, rounds: 3 },
            bound: 0.65,
            sense: '>=',
          },
        ],
        markdown: '# ai-usage\n\nHow it was measured.',
        seconds: 30,
      },
      {
        name: 'analytics',
        rows: [
          {
            measurement: 'analytics replay',
            figure: 'not measured',
            reference:
              'apps/analytics/bench/replay.bench.ts: it ran but wrote no result (NEXUS_BENCH_RESULT)',
            value: NaN,
            bound: NaN,
            sense: '>=',
          },
        ],
        markdown: '',
        problem: 'it ran but wrote no result (NEXUS_BENCH_RESULT)',
        seconds: 20,
      },
    ],
    relay: { events: 20000, kitRate: 14000, rawRate: 15000 },
    latency: [
      { mode: 'notify', sent: 2000, received: 2000, p50Ms: 5, p99Ms: 20, maxMs: 30 },
      { mode: 'poll-500ms', sent: 2000, received: 2000, p50Ms: 250, p99Ms: 500, maxMs: 520 },
    ],
    list: {
      rows: 200000,
      depthRows: 180000,
      pageSize: 50,
      firstPageMs: 1.7,
      deepPageMs: 1.8,
      offsetFirstMs: 0.5,
      offsetDeepMs: 25,
      pagingSeconds: 3,
    },
    failures: [],
    profiles: [],
  };
}

describe('renderReport', () => {
  it('reports the rows of a section that failed as not measured, with the reason, and the rest as measured', () => {
    const failed = renderReport({
      ...results(),
      list: undefined,
      failures: [{ section: 'list paging', error: '13 INTERNAL: internal error' }],
    });
    expect(failed).toContain(
      '| deep page / first page | not measured | failed: 13 INTERNAL: internal error | n/a | – | <= 1.2 | **no** |',
    );
    expect(failed).toContain('Not measured: list paging failed (13 INTERNAL: internal error).');
    expect(failed).toContain('| relay / raw drain | 14,000 events/s |');
  });

  const report = renderReport(results());
  const h = 1 / (1 / 6000 + 1 / 4000);

  it('prints each call with its figure, reference, median ratio, spread, target and whether it is met', () => {
    // UpdateTask: 1,000, 1,300 and 1,100 calls/s against H = 2,400/s: median 1,100 / 2,400 = 0.46.
    expect(report).toContain(
      `| UpdateTask / H | 1,100 calls/s | H = 2,400/s | ${(1100 / h).toFixed(2)} | ${(1000 / h).toFixed(2)} to ${(1300 / h).toFixed(2)} (3 rounds) | >= 0.65 | **no** |`,
    );
    // GetTask: H = 1 / (1/8000 + 1/20000) = 5,714/s; median 3,300 / 5,714 = 0.58.
    expect(report).toMatch(
      /\| GetTask \/ H \| 3,300 calls\/s \| H = 5,714\/s \| 0\.58 \| 0\.52 to 0\.63 \(3 rounds\) \| >= 0\.75 \| \*\*no\*\* \|/,
    );
  });

  it('holds CreateUser against argon2id hashing alone', () => {
    // 130 / 140 = 0.93 (median of 0.86, 0.93, 0.94).
    expect(report).toContain(
      '| CreateUser / argon2id alone | 130 calls/s | argon2id alone 140/s | 0.93 | 0.86 to 0.94 (3 rounds) | >= 0.9 | yes |',
    );
  });

  it('fails the sustained-load row when analytics needs longer than 5 s to catch up', () => {
    expect(report).toContain(
      '| analytics lag back to 0 after sustained load (s) | 7.50 s (peak backlog 1,200) | 60 s of every main write at once, 900 events/s | 7.50 | – | <= 5 | **no** |',
    );
  });

  it('holds the relay against the fastest main write of the run', () => {
    // GetTask is faster but is not a write; UpdateTask's median round did 1,100/s.
    expect(report).toContain(
      '| relay / fastest write rate | 14,000 events/s | UpdateTask 1,100/s | 12.7 | – | >= 1.5 | yes |',
    );
  });

  it("joins the service benches' rows, and reports a bench that handed back nothing as not measured", () => {
    expect(report).toContain(
      '| RecordInteraction / H | 900 calls/s | H = 1,000/s | 0.90 | 0.80 to 0.95 (3 rounds) | >= 0.65 | yes |',
    );
    expect(report).toMatch(
      /\| analytics replay \| not measured \| .*wrote no result.* \| n\/a \| – \| – \| \*\*no\*\* \|/,
    );
    expect(report).toContain('## ai-usage (its own bench, 30 s)');
    expect(report).toContain('### ai-usage');
    expect(report).toContain('Not measured: it ran but wrote no result (NEXUS_BENCH_RESULT).');
  });

  it("shows each call's CPU by party in its median round, and every round's ratio", () => {
    // 200 + 700 + 500 + 100 = 1,500 µs a call: 2 cores allow 1,333/s.
    expect(report).toContain(
      '| **UpdateTask** (work service) | 1,100 | 200 | 700 | 500 | 100 | **1,500** | 1,333/s |',
    );
    expect(report).toContain(
      `| UpdateTask | ${(1000 / h).toFixed(2)}: 1,000 / 2,400 (20%) | ${(1300 / h).toFixed(2)}: 1,300 / 2,400 (5%) |`,
    );
  });

  it('says where a missed call loses its time, and leaves out the ones that met their target', () => {
    expect(report).toContain(
      '- **UpdateTask** (0.46, target >= 0.65): UpdateTask costs 1,500 µs of CPU per call',
    );
    expect(report).toContain('- **GetTask**');
    expect(report).not.toContain('- **CreateUser**');
    expect(report).toContain('- **analytics lag back to 0 after sustained load (s)**');
  });
});
