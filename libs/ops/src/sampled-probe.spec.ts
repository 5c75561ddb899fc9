import { SampledProbe } from './sampled-probe';

describe('SampledProbe', () => {
  const timing = { maxAgeMs: 1_000, timeoutMs: 50 };

  it('serves a fresh value again instead of measuring anew, and measures once it is stale', async () => {
    let clock = 0;
    let measured = 0;
    const probe = new SampledProbe(
      async () => ++measured,
      timing,
      () => undefined,
      () => clock,
    );
    expect(await Promise.all([probe.read(), probe.read()])).toEqual([1, 1]);
    clock = 999;
    expect(await probe.read()).toBe(1);
    clock = 1_000;
    expect(await probe.read()).toBe(2);
    expect(measured).toBe(2);
  });

  it('answers nothing for a measurement that fails, and reports it', async () => {
    const failures: unknown[] = [];
    const probe = new SampledProbe(
      async () => Promise.reject(new Error('connection refused')),
      timing,
      (error) => failures.push(error),
    );
    expect(await probe.read()).toBeUndefined();
    expect(failures).toEqual([new Error('connection refused')]);
  });

  it('gives up on a slow measurement without starting a second one beside it', async () => {
    let release: (value: number) => void = () => undefined;
    let started = 0;
    const failures: unknown[] = [];
    const probe = new SampledProbe(
      () => {
        started += 1;
        return new Promise<number>((resolve) => (release = resolve));
      },
      timing,
      (error) => failures.push(error),
    );
    expect(await probe.read()).toBeUndefined();
    expect(await probe.read()).toBeUndefined();
    expect(started).toBe(1);
    expect(failures).toEqual([new Error('measurement timed out')]);
    release(7);
    expect(await probe.read()).toBe(7);
    expect(started).toBe(1);
  });
});
