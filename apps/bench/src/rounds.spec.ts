import type { LoadResult } from './load';
import { summariseRounds, type CallRound, type SeededCall } from './rounds';
import type { Scenario } from './scenario';

const load = (rate: number): LoadResult => ({
  calls: rate,
  errors: 0,
  seconds: 1,
  rate,
  latenciesMs: [],
});

const scenario: Scenario = {
  name: 'UpdateTask',
  service: 'work',
  reference: { kind: 'h', bound: 0.65 },
  rawWork: 'raw',
  seed: () => Promise.reject(new Error('not seeded in a unit test')),
};
const call: SeededCall = {
  scenario,
  run: { call: async () => undefined, sample: () => Promise.reject(new Error('unused')) },
  request: new Uint8Array(40),
  reply: new Uint8Array(300),
};

const round = (service: number, reference: number): CallRound => ({
  g: load(2 * reference),
  p: load(2 * reference),
  service: load(service),
  reference,
  ratio: reference > 0 ? service / reference : NaN,
});

describe('summariseRounds', () => {
  it('reports the median ratio of the rounds with their spread and the median round as typical', () => {
    const [figures] = summariseRounds(
      [call],
      [[round(500, 1000)], [round(900, 1000)], [round(700, 1000)]],
    );
    expect(figures.ratio).toEqual({ median: 0.7, min: 0.5, max: 0.9, rounds: 3 });
    expect(figures.typical.service.rate).toBe(700);
    expect(figures.requestBytes).toBe(40);
    expect(figures.replyBytes).toBe(300);
  });

  it('leaves a round that measured nothing out of the median rather than counting it as zero', () => {
    const [figures] = summariseRounds(
      [call],
      [[round(500, 1000)], [round(0, 0)], [round(700, 1000)]],
    );
    expect(figures.ratio.rounds).toBe(2);
    expect(figures.ratio.median).toBeCloseTo(0.6, 6);
  });
});
