import type { CpuShares } from './cpu-meter';
import type { LoadResult } from './load';
import { renderReport, type BenchResults } from './report';
import { benchConfig } from './config';
import { bestOfRounds, type Round } from './users-bench';

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

function round(g: number, getRate: number, others: number): Round {
  return {
    limits: {
      userBytes: 136,
      getRequestBytes: 38,
      createRequestBytes: 116,
      grpcGet: load(g, { client: 117, server: 54 }, others),
      grpcCreate: load(7000, { client: 109, server: 51 }, others),
      sqlGet: load(24000, { client: 32, postgres: 29 }, others),
      sqlCreate: load(4800, { client: 89, postgres: 186 }, others),
      hGet: 1 / (1 / g + 1 / 24000),
      hCreate: 1 / (1 / 7000 + 1 / 4800),
    },
    service: {
      get: {
        load: load(getRate, { client: 147, server: 150, postgres: 62 }, others),
        cpuMicrosPerCall: 150,
      },
      create: {
        load: load(57, { client: 843, server: 14767, postgres: 1395 }, others),
        cpuMicrosPerCall: 14767,
      },
      update: {
        load: load(497, { client: 275, server: 1103, postgres: 761, kafka: 201 }, others),
        cpuMicrosPerCall: 1103,
      },
    },
  };
}

function results(rounds: Round[]): BenchResults {
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
    ...bestOfRounds(rounds),
    rounds,
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
    profiles: [],
  };
}

describe('renderReport', () => {
  const report = renderReport(results([round(6400, 3467, 20), round(4000, 2145, 48)]));

  it("shows each call's CPU by party, their sum and the ceiling the cores allow at it", () => {
    // 147 + 150 + 62 = 359 µs a call: 2 cores allow 2e6 / 359 = 5,571 calls/s; the host was
    // busy (359 µs × 3,467/s + 20% of it) = 82%.
    expect(report).toContain(
      '| GetUser | 3,467 | 147 | 150 | 62.0 | – | **359** | 5,571/s | 82% | 20% |',
    );
  });

  it('lists every round with the load of others, and the ratio of each round to its own H', () => {
    expect(report).toMatch(/\| GetUser \| 3,467\/s \(20%\) \| 2,145\/s \(48%\) \|/);
    const h1 = 1 / (1 / 6400 + 1 / 24000);
    const h2 = 1 / (1 / 4000 + 1 / 24000);
    expect(report).toContain(
      `| GetUser / H of the round | ${(3467 / h1).toFixed(2)} | ${(2145 / h2).toFixed(2)} |`,
    );
  });

  it('says where a missed target loses, with the spread over the rounds', () => {
    expect(report).toContain('**GetUser / H**');
    expect(report).toMatch(/Round by round the ratio was 0\.\d\d to 0\.\d\d/);
    expect(report).toContain(
      'G alone moved between 4,000 and 6,400/s from one round to the next (60%)',
    );
    // 359 µs is within what 0.75·H allows on 2 cores (about 528 µs): the note says so.
    expect(report).toContain('By CPU alone the call fits, so the shortfall is idle time');
    expect(report).toContain('CreateUser is bounded by argon2id');
    expect(report).toMatch(/UpdateUser, the same write path without hashing, does 497\/s/);
  });
});
