import { seedProgress } from './seed-progress';

/** A stream that keeps what is written to it, a terminal or not. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    isTTY,
    chunks,
    write(chunk: string | Uint8Array): boolean {
      chunks.push(chunk.toString());
      return true;
    },
  };
}

describe('seed progress without a terminal', () => {
  it('prints one plain line per kind with its real count and total', () => {
    const out = capture(false);
    let clock = 0;
    const progress = seedProgress(out, { now: () => clock });
    for (const [kind, total] of [
      ['users', 3],
      ['messages', 200],
      ['tasks', 0],
    ] as const) {
      const counter = progress.start(kind, total);
      for (let i = 0; i < total; i += 1) counter.tick();
      clock += 1500;
      counter.done();
    }
    progress.stop();
    expect(out.chunks.join('')).toBe(
      [
        'seed: users        3/3 done in 1.5 s',
        'seed: messages     200/200 done in 1.5 s',
        'seed: tasks        0/0 done in 1.5 s',
        '',
      ].join('\n'),
    );
  });

  it('says how far a long kind has got every interval, never past its total', () => {
    const out = capture(false);
    let clock = 0;
    const counter = seedProgress(out, { now: () => clock, everyMs: 1000 }).start('emails', 4);
    for (let i = 0; i < 4; i += 1) {
      clock += 600;
      counter.tick();
    }
    counter.done();
    expect(out.chunks).toEqual([
      'seed: emails       2/4\n',
      'seed: emails       4/4 done in 2.4 s\n',
    ]);
  });
});

describe('seed progress on a terminal', () => {
  it('draws bars with the kind and the total filled in', () => {
    const out = capture(true);
    const progress = seedProgress(out);
    const counter = progress.start('documents', 50);
    for (let i = 0; i < 50; i += 1) counter.tick();
    counter.done();
    progress.stop();
    const drawn = out.chunks.join('');
    expect(drawn).toContain('documents');
    expect(drawn).toContain('50/50');
    expect(drawn).not.toContain('{kind}');
  });
});
