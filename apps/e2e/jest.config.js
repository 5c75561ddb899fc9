// The platform's services as processes: the access matrix (test), the fuzz run (fuzz)
// and the faults run (faults, jest.faults.config.js).
module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  // Each spec starts every service; one at a time keeps 2 cores usable.
  maxWorkers: 1,
  // The fuzz and faults runs have targets of their own (npx nx run e2e:fuzz,
  // e2e:faults): too slow for every change, and faults brings its own stack.
  testPathIgnorePatterns: ['/node_modules/', 'fuzz\\.int-spec', '/faults/.*\\.int-spec'],
};
