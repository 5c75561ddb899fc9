import { MultiBar, Presets } from 'cli-progress';

/** How far one kind of sample data has got. */
export interface KindProgress {
  tick(): void;
  done(): void;
}

/** `db seed`'s progress: a bar per kind on a terminal, plain lines anywhere else. */
export interface SeedProgress {
  start(kind: string, total: number): KindProgress;
  stop(): void;
}

type Output = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };

/** On a terminal, bars; in a log or a pipe, a line per kind when it is done, and every `everyMs` meanwhile. */
export function seedProgress(
  stream: Output,
  options: { everyMs?: number; now?: () => number } = {},
): SeedProgress {
  return stream.isTTY ? terminalBars(stream) : plainLines(stream, options);
}

function terminalBars(stream: Output): SeedProgress {
  const bars = new MultiBar(
    {
      format: ' {kind} [{bar}] {value}/{total}',
      hideCursor: true,
      stream: stream as NodeJS.WriteStream,
    },
    Presets.shades_classic,
  );
  return {
    start(kind, total) {
      const bar = bars.create(total, 0, { kind: kind.padEnd(12) });
      return { tick: () => bar.increment(), done: () => bar.update(total) };
    },
    stop: () => bars.stop(),
  };
}

// cli-progress writes nothing but the final redraw without a terminal, and that
// redraw shows bars it never started: `{kind}` placeholders, a default total of
// 100 under the real count. Plain lines say the same with nothing to redraw.
function plainLines(
  stream: Output,
  { everyMs = 10_000, now = Date.now }: { everyMs?: number; now?: () => number },
): SeedProgress {
  return {
    start(kind, total) {
      const began = now();
      let count = 0;
      let said = began;
      const line = (suffix: string) =>
        stream.write(`seed: ${kind.padEnd(12)} ${count}/${total}${suffix}\n`);
      return {
        tick() {
          count += 1;
          if (count < total && now() - said >= everyMs) {
            said = now();
            line('');
          }
        },
        done: () => line(` done in ${((now() - began) / 1000).toFixed(1)} s`),
      };
    },
    stop: () => undefined,
  };
}
