module.exports = {
  ...require('../../jest.infra-preset.js'),
  displayName: 'analytics',
  rootDir: __dirname,
  // The test files share the run's one analytics schema, and each service they
  // start replays the whole broker into it: one file at a time.
  maxWorkers: 1,
};
