// The platform's services as processes: the access matrix (test) and the fuzz run (fuzz).
module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  // Each spec starts every service; one at a time keeps 2 cores usable.
  maxWorkers: 1,
  // The fuzz run has its own target (npx nx run e2e:fuzz): too slow for every change.
  testPathIgnorePatterns: ['/node_modules/', 'fuzz\\.int-spec'],
};
