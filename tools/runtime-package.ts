/**
 * The production manifest of the image: `tsx tools/runtime-package.ts <dist> <out>`
 * writes <out>/package.json with the union of the dependencies of the
 * package.json files `nx build` generates for each built output under <dist>
 * (dist/apps/<service>, dist/tools/nexus), and
 * <out>/package-lock.json pruned from the workspace lock, so that
 * `npm ci --omit=dev` in <out> installs exactly the versions the workspace
 * tests. npm prunes the lock itself: the lock @nx/esbuild generates (23.2.1)
 * leaves out packages nested two node_modules deep (string-width under
 * typeorm's cliui), which `npm ci` refuses.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface Manifest {
  dependencies?: Record<string, string>;
  /** npm's install-script approvals: the workspace's hold for the image too. */
  allowScripts?: Record<string, boolean>;
}

/** The built outputs under dist: dist/apps/<app> and dist/tools/<tool>, each with its package.json. */
export function builtOutputs(dist: string): string[] {
  return ['apps', 'tools'].flatMap((kind) => {
    const parent = path.join(dist, kind);
    if (!existsSync(parent)) return [];
    return readdirSync(parent)
      .map((name) => path.join(parent, name))
      .filter((dir) => existsSync(path.join(dir, 'package.json')));
  });
}

export function writeRuntimePackage(dist: string, outDir: string): Record<string, string> {
  const distDirs = builtOutputs(dist);
  if (distDirs.length === 0)
    throw new Error(`nothing built under ${dist}: run nx run-many -t build`);
  const dependencies: Record<string, string> = {};
  for (const dir of distDirs) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (dependencies[name] !== undefined && dependencies[name] !== version)
        throw new Error(`${name}: ${dependencies[name]} and ${version} in the built outputs`);
      dependencies[name] = version;
    }
  }
  const workspace = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const sorted = Object.fromEntries(
    Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)),
  );
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'nexus-runtime', private: true, dependencies: sorted, allowScripts: workspace.allowScripts }, null, 2)}\n`,
  );
  copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(outDir, 'package-lock.json'));
  // Every entry is in the workspace lock already: npm only drops what is not needed.
  execFileSync(
    'npm',
    ['install', '--package-lock-only', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: outDir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return sorted;
}

if (require.main === module) {
  const [dist, outDir] = process.argv.slice(2);
  if (dist === undefined || outDir === undefined) {
    process.stderr.write('usage: tsx tools/runtime-package.ts <dist> <out dir>\n');
    process.exit(2);
  }
  const dependencies = writeRuntimePackage(path.resolve(dist), path.resolve(outDir));
  process.stdout.write(`${outDir}: ${Object.keys(dependencies).length} production dependencies\n`);
}
