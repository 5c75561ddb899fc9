import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from '@nexus/testing';
import { readServiceBenchResult, type ServiceBench } from './service-benches';

const bench: ServiceBench = {
  name: 'analytics',
  script: 'apps/analytics/bench/replay.bench.ts',
  measures: ['analytics replay', 'commit → read model'],
  env: {},
};

describe('readServiceBenchResult', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-result-spec-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reports every measurement of a script that wrote nothing as not measured, without a figure', async () => {
    const result = await readServiceBenchResult(bench, path.join(dir, 'none.json'), 0, 12);
    expect(result.problem).toBe('it ran but wrote no result (NEXUS_BENCH_RESULT)');
    expect(result.rows.map((row) => [row.measurement, row.figure])).toEqual([
      ['analytics replay', 'not measured'],
      ['commit → read model', 'not measured'],
    ]);
    expect(result.rows.every((row) => Number.isNaN(row.value))).toBe(true);
  });

  it('names the exit code of a script that failed before writing', async () => {
    const result = await readServiceBenchResult(bench, path.join(dir, 'none.json'), 1, 3);
    expect(result.problem).toBe('it exited with code 1');
  });

  it('refuses a file that is not a BenchResult', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ rows: 'no' }));
    expect((await readServiceBenchResult(bench, file, 0, 1)).problem).toBe(
      'its result file is not a BenchResult',
    );
  });

  it("takes the rows and markdown of the script's result", async () => {
    const file = path.join(dir, 'good.json');
    const written: BenchResult = {
      rows: [
        {
          measurement: 'analytics replay',
          figure: '9,000 events/s',
          reference: 'raw 10,000/s',
          value: 0.9,
          spread: { min: 0.85, max: 0.93, rounds: 3 },
          bound: 0.8,
          sense: '>=',
        },
      ],
      markdown: '## Replay\n\nHow.',
    };
    await writeFile(file, JSON.stringify(written));
    const result = await readServiceBenchResult(bench, file, 0, 40);
    expect(result.problem).toBeUndefined();
    expect(result.rows).toEqual(written.rows);
    expect(result.markdown).toBe('## Replay\n\nHow.');
  });
});
