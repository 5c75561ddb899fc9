import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The monorepo root (the folder holding nx.json), found from this file rather
 * than from process.cwd() so the stack works whichever folder it is run from.
 */
export function repoRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No nx.json found above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}
