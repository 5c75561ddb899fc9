import type { LoadResult } from './load';
import { bestOfRounds, type Round } from './users-bench';

const load = (rate: number): LoadResult => ({
  calls: rate,
  errors: 0,
  seconds: 1,
  rate,
  latenciesMs: [],
});

function round(g: number, p: number, get: number): Round {
  return {
    limits: {
      userBytes: 1,
      getRequestBytes: 1,
      createRequestBytes: 1,
      grpcGet: load(g),
      grpcCreate: load(g),
      sqlGet: load(p),
      sqlCreate: load(p),
      hGet: 0,
      hCreate: 0,
    },
    service: {
      get: { load: load(get), cpuMicrosPerCall: 1 },
      create: { load: load(1), cpuMicrosPerCall: 1 },
      update: { load: load(1), cpuMicrosPerCall: 1 },
    },
  };
}

describe('bestOfRounds', () => {
  it('takes each measurement from its own best round and computes H from the chosen G and P', () => {
    const best = bestOfRounds([round(3000, 6000, 1500), round(2000, 12000, 1200)]);
    expect(best.limits.grpcGet.rate).toBe(3000);
    expect(best.limits.sqlGet.rate).toBe(12000);
    expect(best.limits.hGet).toBeCloseTo(1 / (1 / 3000 + 1 / 12000), 6);
    expect(best.service.get.load.rate).toBe(1500);
  });

  it('refuses to choose from no rounds', () => {
    expect(() => bestOfRounds([])).toThrow('no rounds');
  });
});
