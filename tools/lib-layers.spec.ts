/**
 * The layer rule of eslint.config.mjs refuses an upward import: each case lints
 * a one-line import as the text of a lib's index.ts (eslint's Node API with the
 * real config and project graph; nothing is written to disk), and looks only at
 * @nx/enforce-module-boundaries.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

// In a child process: eslint loads its flat config with a dynamic import, which
// Jest's module sandbox cannot do. Type information is switched off: the
// boundary rule does not use it, and a program per lib would take minutes.
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
const out = [];
for (const { filePath, source } of cases) {
  const [result] = await eslint.lintText(source, { filePath });
  out.push(result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
}
process.stdout.write(JSON.stringify(out));
`;

/** For each [lib, target]: the boundary messages of `export * from '@nexus/<target>'` in lib's index.ts. */
function lintImports(pairs: readonly (readonly [string, string])[]): string[][] {
  const cases = pairs.map(([lib, target]) => ({
    filePath: path.join(ROOT, 'libs', lib, 'src', 'index.ts'),
    source: `export * from '@nexus/${target}';\n`,
  }));
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify(cases)],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  return JSON.parse(output) as string[][];
}

function layerOf(lib: string): number {
  const project = JSON.parse(
    readFileSync(path.join(ROOT, 'libs', lib, 'project.json'), 'utf8'),
  ) as { tags?: string[] };
  const tags = (project.tags ?? []).filter((tag) => tag.startsWith('layer:'));
  if (tags.length !== 1) throw new Error(`libs/${lib} has ${tags.length} layer tags`);
  return Number(tags[0].slice('layer:'.length));
}

it('every lib has exactly one layer tag', () => {
  const libs = readdirSync(path.join(ROOT, 'libs'));
  expect(libs.length).toBeGreaterThan(0);
  for (const lib of libs) expect(layerOf(lib)).toEqual(expect.any(Number));
});

// Upward imports that close no cycle (one that does is reported as the cycle):
// one of issue 14, and one from each layer that has a lib above it. (Issue
// 14's other, config importing events, now closes a cycle: events reads
// config's Kafka TLS settings; so does ops importing db, since db's outbox
// writer reads ops' tracing: layer 0 is probed by core importing stack.)
const UPWARD = [
  ['clients', 'runtime'],
  ['core', 'stack'],
  ['ops', 'core'],
  ['db', 'clients'],
  ['grpc', 'events'],
  ['events', 'clients'],
  ['runtime', 'stack'],
] as const;
const DOWNWARD = [
  ['db', 'core'],
  ['grpc', 'db'],
  ['events', 'db'],
  ['clients', 'proto'],
  ['runtime', 'grpc'],
  ['testing', 'stack'],
] as const;

let upward: string[][];
let downward: string[][];
beforeAll(() => {
  [upward, downward] = ((all) => [all.slice(0, UPWARD.length), all.slice(UPWARD.length)])(
    lintImports([...UPWARD, ...DOWNWARD]),
  );
}, 120_000);

describe.each(UPWARD.map(([lib, target], i) => [lib, target, i] as const))(
  'libs/%s importing @nexus/%s',
  (lib, target, i) => {
    it('is refused: the target is not in a lower layer', () => {
      expect(layerOf(target)).toBeGreaterThanOrEqual(layerOf(lib));
      expect(upward[i]).toContainEqual(
        expect.stringContaining(`tagged with "layer:${layerOf(lib)}"`),
      );
    });
  },
);

describe.each(DOWNWARD.map(([lib, target], i) => [lib, target, i] as const))(
  'libs/%s importing @nexus/%s',
  (lib, target, i) => {
    it('is allowed: the target is in a lower layer', () => {
      expect(layerOf(target)).toBeLessThan(layerOf(lib));
      expect(downward[i]).toEqual([]);
    });
  },
);
