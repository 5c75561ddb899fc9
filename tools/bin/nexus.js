#!/usr/bin/env node
// `npx nexus ...`: runs the TypeScript CLI with tsx, passing arguments and exit code through.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const result = spawnSync(
  process.execPath,
  [tsx, path.join(__dirname, '../nexus.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: process.cwd(),
  },
);
process.exit(result.status ?? 1);
