import { benchConfig } from './config';

describe('benchConfig', () => {
  it("runs the issue's sizes with BENCH_FULL: 60 s of sustained load, 1,000,000 analytics events, 3 rounds", () => {
    const config = benchConfig({ BENCH_FULL: '1' });
    expect(config).toMatchObject({
      seconds: 30,
      rounds: 3,
      sustainedSeconds: 60,
      drainTargetSeconds: 5,
      analyticsEvents: 1_000_000,
    });
  });

  it('keeps 3 rounds and the 5 s drain target in a quick run, and shortens the rest', () => {
    const config = benchConfig({ BENCH_QUICK: '1' });
    expect(config.quick).toBe(true);
    expect(config.rounds).toBe(3);
    expect(config.drainTargetSeconds).toBe(5);
    expect(config.seconds).toBeLessThan(benchConfig({}).seconds);
    expect(config.sustainedSeconds).toBeLessThan(60);
  });

  it('refuses fewer than 3 rounds, naming the variable: a median of fewer says little of the spread', () => {
    // loadConfig fails fast: it names every bad variable on stderr and exits with EX_CONFIG.
    const exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => benchConfig({ BENCH_ROUNDS: '2' })).toThrow('exit 78');
      expect(String(stderr.mock.calls[0]?.[0])).toContain('BENCH_ROUNDS');
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
